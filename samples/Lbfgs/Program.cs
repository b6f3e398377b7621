using Descent.Minimizers;

// Minimize the 100-dimensional Rosenbrock function with L-BFGS (history 10, strong Wolfe line search).
const int n = 100;
double[] x = new double[n];
for (int i = 0; i < n; i++) x[i] = i % 2 == 0 ? -1.2 : 1.0;   // the classic starting point

double Rosenbrock(ReadOnlySpan<double> x, Span<double> gradient)
{
    double f = 0;
    gradient.Clear();
    for (int i = 0; i < x.Length - 1; i++)
    {
        double a = x[i + 1] - x[i] * x[i], c = 1 - x[i];
        f += 100 * a * a + c * c;
        gradient[i] += -400 * a * x[i] - 2 * c;
        gradient[i + 1] += 200 * a;
    }
    return f;
}

var result = Lbfgs.Minimize<double>(Rosenbrock, x, new LbfgsOptions { HistorySize = 10, GradientTolerance = 1e-10 });
Console.WriteLine($"{result.Reason}: f = {result.Value:E3}, |g| = {result.GradientNorm:E2}, {result.Iterations} iterations, {result.Evaluations} evaluations, x[0] = {x[0]:F6}");
return result.Converged && x.All(v => Math.Abs(v - 1) < 1e-4) ? 0 : 1;
