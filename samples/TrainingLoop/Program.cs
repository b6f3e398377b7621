using Descent.Losses;
using Descent.Optimizers;
using Descent.Schedules;
using Descent.Serialization;

// Your own training loop: softmax regression (3 classes, 4 features) with two parameter groups (weights with weight decay,
// biases without and at a higher learning rate), a checkpoint after 150 of 300 steps, and a resume in a fresh "process"
// that ends bit for bit where the uninterrupted run ends.
const int totalSteps = 300, stopAt = 150;
string path = Path.Combine(Path.GetTempPath(), $"descent-sample-{Environment.ProcessId}.ckpt");
var straight = new Model();
straight.Train(0, totalSteps);
var first = new Model();
first.Train(0, stopAt);
first.Save(path);
var resumed = new Model();               // as if the process had restarted
resumed.Load(path);
resumed.Train(stopAt, totalSteps);
File.Delete(path);

bool same = straight.Weights.AsSpan().SequenceEqual(resumed.Weights) && straight.Biases.AsSpan().SequenceEqual(resumed.Biases);
Console.WriteLine($"loss {straight.LastLoss:F5} after {totalSteps} steps; resumed at {stopAt}: loss {resumed.LastLoss:F5}, parameters bit-identical: {same}");
return same && straight.LastLoss < 0.5 ? 0 : 1;

static class Data
{
    public const int Samples = 300, Features = 4, Classes = 3;
    public static readonly float[] Inputs = new float[Samples * Features];
    public static readonly int[] Labels = new int[Samples];

    static Data()
    {
        var random = new Random(1);
        for (int i = 0; i < Samples; i++)
        {
            Labels[i] = i % Classes;
            for (int j = 0; j < Features; j++) Inputs[i * Features + j] = (float)(random.NextDouble() - 0.5 + (j == Labels[i] ? 1.0 : 0.0));
        }
    }
}

sealed class Model
{
    private const int samples = Data.Samples, features = Data.Features, classes = Data.Classes;
    private static readonly float[] inputs = Data.Inputs;
    private static readonly int[] labels = Data.Labels;
    public readonly float[] Weights = new float[classes * features], WeightGradient = new float[classes * features];
    public readonly float[] Biases = new float[classes], BiasGradient = new float[classes];
    public readonly Optimizer<float> Optimizer;
    public double LastLoss;
    private readonly SoftmaxCrossEntropy<float> _loss = new();
    private readonly float[] _logits = new float[samples * classes], _logitGradient = new float[samples * classes];

    public Model()
    {
        Optimizer = Optim.Sgd<float>(learningRate: 0.5, momentum: 0.9, nesterov: true, weightDecay: 1e-3,
            learningRateSchedule: ScheduleText.Parse("warmup(30) >> cosine(270)"));
        Optimizer.AddGroup(new Parameter<float>("weights", Weights, WeightGradient, [classes, features]));
        Optimizer.AddGroup(new Parameter<float>("biases", Biases, BiasGradient))
            .Set(HyperparameterKey.WeightDecay, Hyperparameter.Constant(0))
            .Set(HyperparameterKey.LearningRate, Hyperparameter.Scaled(1.0, ScheduleText.Parse("warmup(30) >> cosine(270)")));
    }

    public void Train(int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            for (int i = 0; i < samples; i++)
                for (int c = 0; c < classes; c++)
                {
                    float z = Biases[c];
                    for (int j = 0; j < features; j++) z += Weights[c * features + j] * inputs[i * features + j];
                    _logits[i * classes + c] = z;
                }
            LastLoss = _loss.Evaluate(_logits, labels, classes, _logitGradient);
            Array.Clear(WeightGradient);
            Array.Clear(BiasGradient);
            for (int i = 0; i < samples; i++)
                for (int c = 0; c < classes; c++)
                {
                    float g = _logitGradient[i * classes + c];
                    BiasGradient[c] += g;
                    for (int j = 0; j < features; j++) WeightGradient[c * features + j] += g * inputs[i * features + j];
                }
            Optimizer.Step();
        }
    }

    public void Save(string file)
    {
        var checkpoint = new Checkpoint();
        checkpoint.Set("model/weights", Weights);
        checkpoint.Set("model/biases", Biases);
        OptimizerCheckpoint.Save(checkpoint, "optimizer", Optimizer);   // step count, momentum buffers, per-group settings
        CheckpointFile.Save(file, checkpoint);                           // atomic, checksummed
    }

    public void Load(string file)
    {
        var checkpoint = CheckpointFile.Load(file);
        OptimizerCheckpoint.Load(checkpoint, "optimizer", Optimizer);   // validated: a mismatch throws and changes nothing
        checkpoint.CopyArrayTo<float>("model/weights", Weights);
        checkpoint.CopyArrayTo<float>("model/biases", Biases);
    }
}
