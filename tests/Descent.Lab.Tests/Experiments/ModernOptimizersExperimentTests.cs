using Descent.Lab.Experiments;
using Descent.Optimizers;

namespace Descent.Lab.Tests.Experiments;

public class ModernOptimizersExperimentTests
{
    [Fact]
    public void Every_catalog_optimizer_has_a_training_example_that_parses_to_itself()
    {
        foreach (var d in OptimizerCatalog.All)
        {
            Assert.StartsWith(d.Name + "(", d.TrainingExample);
            Assert.Equal(d.Name, OptimizerCatalog.Parse(d.TrainingExample).Name);
            Assert.NotNull(OptimizerCatalog.Create<float>(d.TrainingExample));
        }
    }

    [Fact]
    public void Is_experiment_18_of_the_catalog()
    {
        var e = Assert.Single(ExperimentCatalog.All, e => e.Number == 18);
        Assert.Equal("mnist-modern-optimizers", e.Id);
        Assert.IsType<ModernOptimizersExperiment>(e);
    }
}
