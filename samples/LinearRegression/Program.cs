using Descent.Losses;
using Descent.Optimizers;
using Descent.Schedules;

// Fit y = 3 x1 - 2 x2 + 0.5 to 256 noisy samples with AdamW, a linear warmup of 100 steps, then cosine decay.
const int samples = 256, steps = 1000;
var random = new Random(0);
var x = new double[samples * 2];
var y = new double[samples];
for (int i = 0; i < samples; i++)
{
    x[2 * i] = 2 * random.NextDouble() - 1;
    x[2 * i + 1] = 2 * random.NextDouble() - 1;
    y[i] = 3 * x[2 * i] - 2 * x[2 * i + 1] + 0.5 + 0.01 * (random.NextDouble() - 0.5);
}

double[] w = new double[2], dw = new double[2];    // parameters and their gradient buffers
double[] b = new double[1], db = new double[1];
var schedule = ScheduleText.Parse("warmup(100) >> cosine(900)");   // factor of the base learning rate, per step
var optimizer = Optim.AdamW<double>(learningRate: 0.1, weightDecay: 1e-4, learningRateSchedule: schedule);
optimizer.AddGroup(new Parameter<double>("w", w, dw), new Parameter<double>("b", b, db));

var loss = new MeanSquaredError<double>();
var prediction = new double[samples];
var dPrediction = new double[samples];             // d loss / d prediction, written by the loss
double value = 0;
for (int step = 0; step < steps; step++)
{
    for (int i = 0; i < samples; i++) prediction[i] = w[0] * x[2 * i] + w[1] * x[2 * i + 1] + b[0];
    value = loss.Evaluate(prediction, y, dPrediction);
    Array.Clear(dw);
    db[0] = 0;
    for (int i = 0; i < samples; i++)
    {
        dw[0] += dPrediction[i] * x[2 * i];
        dw[1] += dPrediction[i] * x[2 * i + 1];
        db[0] += dPrediction[i];
    }
    optimizer.Step();
}

Console.WriteLine($"w = [{w[0]:F3}, {w[1]:F3}], b = {b[0]:F3}, mse = {value:E2} after {optimizer.StepCount} steps");
return Math.Abs(w[0] - 3) < 0.01 && Math.Abs(w[1] + 2) < 0.01 && Math.Abs(b[0] - 0.5) < 0.01 ? 0 : 1;
