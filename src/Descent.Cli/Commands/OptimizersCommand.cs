using System.CommandLine;
using Descent.Optimizers;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent optimizers [NAME...] [--json]</c>: every optimizer of the catalog with its options, each with its default, valid
/// range, whether it is a schedulable key or a constructor argument, and its PyTorch and Optax names (all read from the
/// optimizers' definitions).
/// </summary>
internal static class OptimizersCommand
{
    public static Command Create()
    {
        var names = new Argument<string[]>("names") { Description = "Optimizers to show (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON array." };
        var command = new Command("optimizers", "List the optimizers and their options: default, valid range, key or constructor argument, PyTorch and Optax names.");
        command.Arguments.Add(names);
        command.Options.Add(json);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var wanted = parse.GetValue(names) ?? [];
            var unknown = wanted.Where(n => OptimizerCatalog.All.All(d => d.Name != n)).ToArray();
            if (unknown.Length > 0)
                throw new ArgumentException($"unknown optimizer {string.Join(", ", unknown)}; known: {string.Join(", ", OptimizerCatalog.All.Select(d => d.Name))}");
            var shown = OptimizerCatalog.All.Where(d => wanted.Length == 0 || wanted.Contains(d.Name)).ToArray();
            if (parse.GetValue(json)) Console.Out.WriteLine(CliJson.Serialize(shown.Select(Describe).ToArray()));
            else WriteText(shown);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static object Describe(OptimizerDefinition d) => new Dictionary<string, object?>
    {
        ["name"] = d.Name,
        ["description"] = d.Description,
        ["options"] = d.Options.Select(o => new Dictionary<string, object?>
        {
            ["name"] = o.Name,
            ["type"] = o.Kind.ToString().ToLowerInvariant(),
            ["default"] = o.DefaultText,
            ["range"] = o.Range?.ToString(),
            ["words"] = o.Words,
            ["schedulable"] = o.IsKey,
            ["pytorch"] = o.PyTorchName,
            ["optax"] = o.OptaxName,
        }).ToArray(),
    };

    private static void WriteText(IReadOnlyList<OptimizerDefinition> definitions)
    {
        string[] header = ["option", "default", "range", "kind", "PyTorch", "Optax"];
        foreach (var d in definitions)
        {
            Console.Out.WriteLine($"{d.Name}: {d.Description}");
            var rows = d.Options.Select(o => new[]
            {
                o.Name, o.DefaultText, o.Range?.ToString() ?? (o.Words is { } w ? string.Join(" | ", w) : "true | false"),
                o.IsKey ? "key" : "argument", o.PyTorchName ?? "-", o.OptaxName ?? "-",
            }).Prepend(header).ToArray();
            var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
                Console.Out.WriteLine("  " + string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))));
            Console.Out.WriteLine();
        }
        Console.Out.WriteLine("key: a schedulable hyperparameter (SetSchedule, per-group Set); argument: fixed when the optimizer is built.");
    }
}
