using System.Diagnostics;
using System.Globalization;

namespace HeyGenLiveCheck;

/// <summary>The check's report: one line per finding, each starting with a fixed key (the keys
/// docs/heygen-protocol.md refers to), events with their time since the check started.</summary>
public sealed class LiveCheckReport(TextWriter output)
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly long _start = Stopwatch.GetTimestamp();

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate) return [.. _lines];
        }
    }

    /// <summary>Time since the check started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Adds the line <c>key: text</c>.</summary>
    public void Add(string key, string text)
    {
        var line = key + ": " + text;
        lock (_gate)
        {
            _lines.Add(line);
            output.WriteLine(line);
        }
    }

    /// <summary>Adds <c>event: +N ms type json</c> for a server event.</summary>
    public void Event(string type, string json) =>
        Add("event", string.Create(CultureInfo.InvariantCulture, $"+{Elapsed.TotalMilliseconds:F0} ms {type} {json}"));
}
