using Pipeline.Core.Audio;

namespace HeyGenAvatarBot.Conversation;

/// <summary>One user turn of the scripted conversation: the recording, what it says, and the scripted reply.</summary>
/// <param name="Number">1-based position in the conversation.</param>
/// <param name="Said">What the recording says (the recognizer may hear it differently).</param>
/// <param name="Keywords">Words of the turn that select <paramref name="Reply"/> in the offline responder.</param>
/// <param name="Reply">What the offline responder answers.</param>
/// <param name="Pcm">The recording: mono 16-bit PCM at <paramref name="SampleRate"/>.</param>
/// <param name="SampleRate">Sample rate of <paramref name="Pcm"/> in Hz.</param>
internal sealed record ScriptedTurn(int Number, string Said, IReadOnlyList<string> Keywords, string Reply, byte[] Pcm, int SampleRate)
{
    /// <summary>How long the user speaks.</summary>
    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate);

    /// <summary>Reads <c>conversation.txt</c> and the WAVs it names from <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">A line or a recording is malformed (the message names it).</exception>
    public static IReadOnlyList<ScriptedTurn> LoadAll(string directory)
    {
        string script = Path.Combine(directory, "conversation.txt");
        var turns = new List<ScriptedTurn>();
        foreach (string raw in File.ReadAllLines(script))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = line.Split('|', StringSplitOptions.TrimEntries);
            if (fields.Length != 4)
            {
                throw new InvalidDataException($"{script}: '{line}' must be 'WAV | what the user says | words | reply'.");
            }

            byte[] pcm = WavFile.Samples(File.ReadAllBytes(Path.Combine(directory, fields[0])), out WavHeader wav).ToArray();
            if (wav.Channels != 1)
            {
                throw new InvalidDataException($"{fields[0]} must be mono; it has {wav.Channels} channels.");
            }

            string[] keywords = fields[2].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            turns.Add(new ScriptedTurn(turns.Count + 1, fields[1], keywords, fields[3], pcm, wav.SampleRate));
        }

        return turns.Count > 0 ? turns : throw new InvalidDataException($"{script} has no turns.");
    }
}
