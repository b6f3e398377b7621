using System.Net;
using System.Text;

namespace Descent.Lab.Reports;

/// <summary>
/// Builds a self-contained HTML page (inline CSS, images embedded as base64 PNG data URIs, no scripts, no network
/// references): headings, paragraphs, preformatted text, tables and images.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();

    /// <summary>Starts a report with <paramref name="title"/> as page title and first heading.</summary>
    public HtmlReport(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Title = title;
    }

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>Adds a heading (level 2–4), with an optional anchor <paramref name="id"/> that links can point to (<c>#id</c>).</summary>
    public HtmlReport Heading(string text, int level = 2, string? id = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 4);
        _body.Append("<h").Append(level);
        if (id is not null) _body.Append(" id=\"").Append(Encode(id)).Append('"');
        _body.Append('>').Append(Encode(text)).Append("</h").Append(level).Append(">\n");
        return this;
    }

    /// <summary>Adds a block quotation (a claim quoted from its source), with the source named below it.</summary>
    public HtmlReport Quote(string text, string source)
    {
        _body.Append("<blockquote>").Append(Encode(text)).Append("<br/><cite>").Append(Encode(source)).Append("</cite></blockquote>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text (HTML-encoded).</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Adds preformatted text (a command line, a text form).</summary>
    public HtmlReport Preformatted(string text)
    {
        _body.Append("<pre>").Append(Encode(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>Adds a table; every row must have as many cells as there are headers.</summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null) =>
        Table(headers, rows, caption, linkColumn: -1, links: null);

    /// <summary>
    /// Adds a table whose cells in column <paramref name="linkColumn"/> link to <paramref name="links"/>[row] (e.g. <c>#section</c>;
    /// a null entry leaves that cell plain).
    /// </summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption, int linkColumn, IReadOnlyList<string?>? links)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var html = new StringBuilder("<table>\n");
        if (caption is not null) html.Append("<caption>").Append(Encode(caption)).Append("</caption>\n");
        html.Append("<tr>");
        foreach (string h in headers) html.Append("<th>").Append(Encode(h)).Append("</th>");
        html.Append("</tr>\n");
        int index = 0;
        foreach (var row in rows)
        {
            if (row.Count != headers.Count) throw new ArgumentException($"Row {index} has {row.Count} cells; the table has {headers.Count} columns.", nameof(rows));
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
            {
                string? href = c == linkColumn && links is not null && index < links.Count ? links[index] : null;
                html.Append("<td>");
                if (href is not null) html.Append("<a href=\"").Append(Encode(href)).Append("\">").Append(Encode(row[c])).Append("</a>");
                else html.Append(Encode(row[c]));
                html.Append("</td>");
            }
            html.Append("</tr>\n");
            index++;
        }
        _body.Append(html).Append("</table>\n");
        return this;
    }

    /// <summary>Adds a PNG image (embedded as a data URI) with alternative text and an optional caption.</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG file.</exception>
    public HtmlReport Image(byte[] png, string altText, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!png.AsSpan().StartsWith(signature)) throw new ArgumentException("The image is not a PNG file (bad signature).", nameof(png));
        _body.Append("<figure><img alt=\"").Append(Encode(altText)).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\"/>");
        if (caption is not null) _body.Append("<figcaption>").Append(Encode(caption)).Append("</figcaption>");
        _body.Append("</figure>\n");
        return this;
    }

    /// <summary>Renders a ScottPlot plot to PNG and embeds it.</summary>
    public HtmlReport Plot(ScottPlot.Plot plot, string altText, string? caption = null, int width = Plots.DefaultWidth, int height = Plots.DefaultHeight) =>
        Image(Plots.ToPng(plot, width, height), altText, caption);

    /// <summary>The complete HTML document.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>").Append(Encode(Title)).Append("</title>\n");
        html.Append("<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}")
            .Append("th{background:#eee}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}img{max-width:100%}")
            .Append("figure{margin:1em 0}figcaption{color:#555;font-size:.9em}")
            .Append("blockquote{border-left:4px solid #bbb;margin:1em 0;padding:.3em 1em;background:#fafafa}cite{color:#555;font-size:.9em}</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(Encode(Title)).Append("</h1>\n").Append(_body).Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the document (UTF-8) to <paramref name="path"/>, creating the folder.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToHtml(), new UTF8Encoding(false));
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text ?? "");
}
