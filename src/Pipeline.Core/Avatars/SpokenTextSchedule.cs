using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Holds each <see cref="TTSTextFrame"/> until the avatar has spoken the audio that came before it, so that what goes
/// on downstream (to an assistant-context aggregator) is what the user heard, cut where an interruption cut it.
/// </summary>
/// <remarks>
/// <para>
/// The avatar takes speech faster than real time (HeyGen buffers it), so the TTS text would otherwise pass the
/// avatar seconds before it is spoken. A text is due when the avatar has played its utterance's audio up to the
/// text's end: the utterance's playback start (its first audio handed to the avatar, moved later to when the avatar
/// reports that it started speaking) plus the duration of the audio before the text. A spoken utterance releases all
/// its texts; an interruption drops the texts not yet due.
/// </para>
/// <para>Thread-safe: audio and texts arrive on the processing task, speaking events and interruptions elsewhere.</para>
/// </remarks>
internal sealed class SpokenTextSchedule : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Held> _held = [];
    private readonly Dictionary<string, Playback> _playbacks = new(StringComparer.Ordinal);
    private ITimer? _timer;

    /// <summary>Whether any text is held.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _held.Count == 0;
            }
        }
    }

    /// <summary>The utterance's first audio went to the avatar at <paramref name="at"/>: its playback starts then at the earliest.</summary>
    public void AudioSent(string utteranceId, DateTimeOffset at)
    {
        lock (_gate)
        {
            _playbacks.TryAdd(utteranceId, new Playback(at));
        }
    }

    /// <summary>The avatar reports it started speaking: the oldest utterance whose start it has not yet confirmed starts now.</summary>
    public void SpeakingStarted(DateTimeOffset at)
    {
        lock (_gate)
        {
            foreach (Held held in _held)
            {
                if (_playbacks.TryGetValue(held.UtteranceId, out Playback? playback) && !playback.Confirmed)
                {
                    playback.Start = at > playback.Start ? at : playback.Start;
                    playback.Confirmed = true;
                    return;
                }
            }
        }
    }

    /// <summary>Holds <paramref name="text"/>, which ends <paramref name="audioBefore"/> into its utterance's audio.</summary>
    public void Hold(TTSTextFrame text, string utteranceId, TimeSpan audioBefore)
    {
        lock (_gate)
        {
            _held.Add(new Held(text, utteranceId, audioBefore));
        }
    }

    /// <summary>The avatar finished the utterance: all its texts are due.</summary>
    public void Spoken(string utteranceId)
    {
        lock (_gate)
        {
            if (_playbacks.TryGetValue(utteranceId, out Playback? playback))
            {
                playback.Finished = true;
            }
            else if (_held.Exists(h => h.UtteranceId == utteranceId))
            {
                _playbacks[utteranceId] = new Playback(DateTimeOffset.MinValue) { Finished = true };
            }
        }
    }

    /// <summary>The avatar was interrupted: the texts it had not yet spoken are forgotten.</summary>
    public void DropAll()
    {
        lock (_gate)
        {
            _held.Clear();
            _playbacks.Clear();
        }
    }

    /// <summary>
    /// Takes the texts due at <paramref name="now"/>, in order (a text waits for the ones before it), and says when the
    /// next one falls due (null: none is scheduled yet, or none is held).
    /// </summary>
    public List<TTSTextFrame> TakeDue(DateTimeOffset now, out DateTimeOffset? next)
    {
        var due = new List<TTSTextFrame>();
        next = null;
        lock (_gate)
        {
            while (_held.Count > 0)
            {
                Held first = _held[0];
                if (!_playbacks.TryGetValue(first.UtteranceId, out Playback? playback))
                {
                    break; // no audio of it went out yet
                }

                DateTimeOffset dueAt = playback.Finished ? DateTimeOffset.MinValue : playback.Start + first.AudioBefore;
                if (dueAt > now)
                {
                    next = dueAt;
                    break;
                }

                due.Add(first.Text);
                _held.RemoveAt(0);
                if (!_held.Exists(h => h.UtteranceId == first.UtteranceId) && playback.Finished)
                {
                    _playbacks.Remove(first.UtteranceId);
                }
            }
        }

        return due;
    }

    /// <summary>Calls <paramref name="onDue"/> once at <paramref name="next"/> (on <paramref name="time"/>), replacing any earlier arming.</summary>
    public void Arm(TimeProvider time, DateTimeOffset next, Action onDue)
    {
        TimeSpan wait = next - time.GetUtcNow();
        lock (_gate)
        {
            _timer ??= time.CreateTimer(static state => ((Action)state!)(), onDue, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the timer for good.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _held.Clear();
        }
    }

    /// <summary>The duration of <paramref name="bytes"/> of 16-bit mono speech at <paramref name="sampleRate"/>.</summary>
    public static TimeSpan DurationOf(long bytes, int sampleRate) => PcmFormat.DurationOf((int)Math.Min(bytes, int.MaxValue), sampleRate);

    private sealed record Held(TTSTextFrame Text, string UtteranceId, TimeSpan AudioBefore);

    private sealed class Playback(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public bool Confirmed { get; set; }

        public bool Finished { get; set; }
    }
}
