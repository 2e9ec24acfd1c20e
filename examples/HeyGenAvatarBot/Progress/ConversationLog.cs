using System.Globalization;
using System.Text;

namespace HeyGenAvatarBot.Progress;

/// <summary>Who is speaking in a <see cref="SpokenSegment"/>.</summary>
internal enum Speaker
{
    User,
    Bot,
}

/// <summary>A stretch of speech: the user between the VAD's start and stop, or one sentence the avatar spoke.</summary>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Start">When it began, from the start of the run.</param>
/// <param name="End">When it ended, from the start of the run; null while it lasts.</param>
/// <param name="Text">What was said (for the user: what the recognizer heard; empty until it has).</param>
internal sealed record SpokenSegment(Speaker Speaker, TimeSpan Start, TimeSpan? End, string Text);

/// <summary>How long each stage of one turn took, from the moment the VAD decided the user had stopped.</summary>
/// <param name="Turn">1-based turn number.</param>
/// <param name="Transcript">VAD end → the recognizer's transcript.</param>
/// <param name="FirstLlmText">VAD end → the first text of the reply.</param>
/// <param name="FirstTtsAudio">VAD end → the first synthesized audio of the reply.</param>
/// <param name="AvatarSpeaking">VAD end → the avatar started speaking the reply.</param>
internal sealed record TurnLatency(int Turn, TimeSpan? Transcript, TimeSpan? FirstLlmText, TimeSpan? FirstTtsAudio, TimeSpan? AvatarSpeaking)
{
    /// <summary>One line: each stage's time since VAD end, in milliseconds.</summary>
    public override string ToString() =>
        $"VAD end → transcript {Ms(Transcript)} → first LLM text {Ms(FirstLlmText)} → first TTS audio {Ms(FirstTtsAudio)} → avatar speaking {Ms(AvatarSpeaking)}";

    private static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "-";
}

/// <summary>
/// What was said when, kept while the bot runs (thread-safe): the source of the transcript and of the contact sheet's
/// captions.
/// </summary>
internal sealed class ConversationLog
{
    private readonly Lock _gate = new();
    private readonly List<SpokenSegment> _segments = [];
    private readonly List<TurnLatency> _latencies = [];

    public IReadOnlyList<SpokenSegment> Segments
    {
        get
        {
            lock (_gate)
            {
                return [.. _segments];
            }
        }
    }

    public IReadOnlyList<TurnLatency> Latencies
    {
        get
        {
            lock (_gate)
            {
                return [.. _latencies];
            }
        }
    }

    /// <summary>Opens a segment; returns its index for <see cref="Close"/> and <see cref="SetText"/>.</summary>
    public int Open(Speaker speaker, TimeSpan at, string text)
    {
        lock (_gate)
        {
            _segments.Add(new SpokenSegment(speaker, at, null, text));
            return _segments.Count - 1;
        }
    }

    public void Close(int index, TimeSpan at)
    {
        lock (_gate)
        {
            _segments[index] = _segments[index] with { End = at };
        }
    }

    public void SetText(int index, string text)
    {
        lock (_gate)
        {
            _segments[index] = _segments[index] with { Text = text };
        }
    }

    public void Add(TurnLatency latency)
    {
        lock (_gate)
        {
            _latencies.Add(latency);
        }
    }

    /// <summary>What was being said at <paramref name="at"/>: "USER: ...", "BOT: ...", or what the silence is.</summary>
    public string CaptionAt(TimeSpan at)
    {
        lock (_gate)
        {
            for (int i = _segments.Count - 1; i >= 0; i--)
            {
                SpokenSegment s = _segments[i];
                if (s.Start <= at && (s.End is null || at < s.End))
                {
                    return $"{(s.Speaker == Speaker.User ? "USER" : "BOT")}: {(s.Text.Length > 0 ? s.Text : "…")}";
                }

                if (s.End <= at)
                {
                    // Between turns: after the user, the bot is thinking; after the bot, it listens.
                    return s.Speaker == Speaker.User ? "(bot thinking)" : "(listening)";
                }
            }
        }

        return "(listening)";
    }

    /// <summary>The conversation as text: one line per user turn and per spoken sentence, with times, then the latencies.</summary>
    public string ToTranscript()
    {
        var text = new StringBuilder();
        foreach (SpokenSegment s in Segments)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{Clock(s.Start)} - {(s.End is { } end ? Clock(end) : "...")}] ")
                .Append(s.Speaker == Speaker.User ? "user: " : "bot:  ")
                .AppendLine(s.Text);
        }

        IReadOnlyList<TurnLatency> latencies = Latencies;
        if (latencies.Count > 0)
        {
            text.AppendLine().AppendLine("Latency by stage, per turn (from the VAD's end of the user's speech):");
            foreach (TurnLatency latency in latencies)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  turn {latency.Turn}: {latency}");
            }
        }

        return text.ToString();
    }

    public static string Clock(TimeSpan at) => at.ToString(@"mm\:ss\.f", CultureInfo.InvariantCulture);
}
