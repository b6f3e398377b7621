namespace Descent.Lab.Experiments;

/// <summary>All experiments of <c>descent lab</c>, in order. Adding an experiment adds one line here.</summary>
public static class ExperimentCatalog
{
    /// <summary>Every experiment, ordered by number.</summary>
    public static IReadOnlyList<IExperiment> All { get; } = new IExperiment[]
    {
        new LrRangeTestExperiment(),
        new MnistScheduleGridExperiment(),
        new LossOutliersExperiment(),
        new FocalLossExperiment(),
        new BatchSizeExperiment(),
        new OptimizerRaceExperiment(),
        new LearningRateExperiment(),
        new ScheduleRaceExperiment(),
        new OrnsteinUhlenbeckExperiment(),
        new WeightDecayExperiment(),
        new WarmRestartsEscapeExperiment(),
        new ScheduleFlatnessExperiment(),
        new ImplicitBiasExperiment(),
        new NesterovCriticalDampingExperiment(),
        new EveryOptimizerExperiment(),
        new NoiseScaleExperiment(),
        new RegularizationExperiment(),
        new EmbeddingExperiment(),
        new CompactStateExperiment(),
        new LinearScalingRuleExperiment(),
        new DpSgdExperiment(),
    }.OrderBy(e => e.Number).ToArray();
}
