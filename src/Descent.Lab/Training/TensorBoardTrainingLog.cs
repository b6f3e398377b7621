using System.Diagnostics;
using System.Numerics.Tensors;
using Descent.Lab.Reports;
using Descent.Optimizers;
using Descent.TensorBoard;

namespace Descent.Lab.Training;

/// <summary>
/// Logs a <see cref="Trainer"/>'s run to TensorBoard: per optimizer step the batch loss, the learning rate and every
/// scheduled hyperparameter, the gradient norm and the step time; per epoch the train and test loss, the test accuracy and
/// the epoch time; at the end the learning curves as images. Pass <see cref="OnProgress"/> to <see cref="Trainer.Run"/>
/// and call <see cref="OnEpochs"/> with the trainer's history (or let <see cref="Observe"/> do both).
/// </summary>
/// <remarks>
/// Tags: <c>train/loss</c> (batch loss before the step), <c>train/grad_norm</c> (L2 norm of the batch gradient over all
/// parameters), <c>train/step_ms</c> (wall time between two steps, data loading included), <c>hyperparameters/lr</c> and
/// <c>hyperparameters/NAME</c> for every hyperparameter driven by a schedule (PyTorch names: <c>momentum</c>, <c>beta1</c>...),
/// <c>epoch/train_loss</c>, <c>epoch/test_loss</c>, <c>epoch/test_accuracy</c>, <c>epoch/train_seconds</c>; images
/// <c>plots/loss</c>, <c>plots/accuracy</c>, <c>plots/learning_rate</c>. The x axis is the optimizer step.
/// </remarks>
public sealed class TensorBoardTrainingLog
{
    private readonly TensorBoardWriter _writer;
    private readonly Trainer _trainer;
    private readonly HyperparameterKey[] _scheduled;
    private readonly List<(long Step, double Value)> _learningRates = [];
    private long _lastTimestamp;
    private long _lastStep = -1;
    private int _epochsLogged;

    /// <summary>Logs <paramref name="trainer"/>'s steps and epochs to <paramref name="writer"/> (the caller owns the writer).</summary>
    public TensorBoardTrainingLog(TensorBoardWriter writer, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(trainer);
        _writer = writer;
        _trainer = trainer;
        var group = trainer.Optimizer.Groups[0];
        _scheduled = trainer.Optimizer.Keys.Where(k => k != HyperparameterKey.LearningRate && group.Get(k).Schedule is not null).ToArray();
        _epochsLogged = trainer.History.Count;
    }

    /// <summary>A progress callback for <see cref="Trainer.Run"/> that logs each step and each finished epoch, then calls <paramref name="next"/>.</summary>
    public Action<TrainingProgress> Observe(Action<TrainingProgress>? next = null) => p =>
    {
        OnProgress(p);
        OnEpochs(_trainer.History);
        next?.Invoke(p);
    };

    /// <summary>Logs the step just taken (call after each batch, as <see cref="Trainer.Run"/>'s progress callback does).</summary>
    public void OnProgress(TrainingProgress progress)
    {
        long now = Stopwatch.GetTimestamp();
        long step = progress.Step;
        if (step == _lastStep) return; // an accumulation batch without an optimizer step
        var values = new List<KeyValuePair<string, double>>(8)
        {
            new("train/loss", progress.Loss),
            new("train/grad_norm", TensorPrimitives.Norm<float>(_trainer.Model.Gradients)),
        };
        if (_lastStep >= 0) values.Add(new("train/step_ms", Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalMilliseconds / (step - _lastStep)));
        // The values used by the step just taken (step - 1): the learning rate and each scheduled hyperparameter.
        var group = _trainer.Optimizer.Groups[0];
        long used = Math.Max(0, step - 1);
        double lr = group.Get(HyperparameterKey.LearningRate).At(used);
        values.Add(new("hyperparameters/lr", lr));
        _learningRates.Add((step, lr));
        foreach (var key in _scheduled) values.Add(new("hyperparameters/" + Hyperparameters.TextName(key), group.Get(key).At(used)));
        _writer.AddScalars(step, values);
        _lastStep = step;
        _lastTimestamp = now;
    }

    /// <summary>Logs the epochs of <paramref name="history"/> not logged yet.</summary>
    public void OnEpochs(IReadOnlyList<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        for (; _epochsLogged < history.Count; _epochsLogged++)
        {
            var m = history[_epochsLogged];
            _writer.AddScalars(m.Step,
            [
                new("epoch/train_loss", m.TrainLoss), new("epoch/test_loss", m.TestLoss), new("epoch/test_accuracy", m.TestAccuracy),
                new("epoch/train_seconds", m.TrainSeconds), new("epoch", m.Epoch),
            ]);
            _writer.Flush();
        }
    }

    /// <summary>Logs the learning curves of <paramref name="result"/> as images (loss, accuracy, learning rate) and flushes.</summary>
    public void OnFinished(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        OnEpochs(_trainer.History);
        var h = result.History;
        long step = _trainer.Optimizer.StepCount;
        if (h.Count > 0)
        {
            double[] epochs = h.Select(m => (double)m.Epoch).ToArray();
            _writer.AddImage("plots/loss", Plots.ToPng(Plots.Line("Loss", "epoch", "cross-entropy",
                [new Series("train", epochs, h.Select(m => m.TrainLoss).ToArray()), new Series("test", epochs, h.Select(m => m.TestLoss).ToArray())])), step);
            _writer.AddImage("plots/accuracy", Plots.ToPng(Plots.Line("Test accuracy", "epoch", "accuracy",
                [new Series("test", epochs, h.Select(m => m.TestAccuracy).ToArray())])), step);
        }
        if (_learningRates.Count > 1)
        {
            _writer.AddImage("plots/learning_rate", Plots.ToPng(Plots.Line("Learning rate", "step", "lr",
                [new Series("lr", _learningRates.Select(p => (double)p.Step).ToArray(), _learningRates.Select(p => p.Value).ToArray())])), step);
        }
        _writer.Flush();
    }
}
