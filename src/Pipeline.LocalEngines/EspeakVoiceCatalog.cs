using System.Diagnostics;

namespace Pipeline.LocalEngines;

/// <summary>
/// The voices an espeak-ng installation knows (<c>espeak-ng --voices</c>). Needed because espeak-ng silently falls
/// back to its default voice when asked for one it does not have: the client checks the name instead.
/// </summary>
internal sealed class EspeakVoiceCatalog
{
    private readonly HashSet<string> _names;

    private EspeakVoiceCatalog(HashSet<string> names) => _names = names;

    public int Count => _names.Count;

    /// <summary>Runs <c>espeak-ng --voices</c> once (a few milliseconds) and indexes every way a voice can be named.</summary>
    public static EspeakVoiceCatalog Load(string executable)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--voices");
        using Process process = Process.Start(info)
            ?? throw new InvalidOperationException($"espeak-ng: '{executable}' could not be started to list its voices.");
        string listing = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"espeak-ng --voices failed with exit code {process.ExitCode}: {process.StandardError.ReadToEnd().Trim()}");
        }

        return new EspeakVoiceCatalog(Parse(listing));
    }

    /// <summary>Whether espeak-ng will use <paramref name="voice"/> (a language, voice name or file, optionally with a <c>+variant</c>).</summary>
    public bool Knows(string voice)
    {
        int variant = voice.IndexOf('+', StringComparison.Ordinal);
        return _names.Contains(variant > 0 ? voice[..variant] : voice);
    }

    // Columns: Pty Language Age/Gender VoiceName File Other-Languages, e.g.
    //  2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
    internal static HashSet<string> Parse(string listing)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in listing.Split('\n').Skip(1))
        {
            string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 5)
            {
                continue;
            }

            names.Add(columns[1]);
            names.Add(columns[3]);
            names.Add(columns[4]);
            names.Add(columns[4][(columns[4].LastIndexOf('/') + 1)..]);
            foreach (string other in columns.Skip(5).Where(c => c.StartsWith('(')))
            {
                names.Add(other.TrimStart('('));
            }
        }

        return names;
    }
}
