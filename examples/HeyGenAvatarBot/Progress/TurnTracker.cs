using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Processors;

namespace HeyGenAvatarBot.Progress;

/// <summary>The processors whose output marks the stages of a turn.</summary>
internal sealed record BotStages(FrameProcessor Vad, FrameProcessor Stt, FrameProcessor Llm, FrameProcessor Tts, FrameProcessor Avatar);

/// <summary>
/// Follows the turn-taking from the frames the stages push and prints it: listening, the user speaking, thinking, the
/// avatar speaking a sentence (the one it is speaking now, not the next one queued), and each turn's latency by stage.
/// It also fills the <see cref="ConversationLog"/> and tells the scripted microphone when a reply has been spoken.
/// </summary>
/// <remarks>
/// The sentence being spoken: the TTS pushes each sentence's <see cref="TTSTextFrame"/> after its audio; the avatar
/// service holds that frame until the avatar has spoken the audio before it. So the sentences the TTS has pushed and
/// the avatar has not yet released are the ones still to be spoken, the oldest of them the one being spoken now.
/// </remarks>
internal sealed class TurnTracker(BotStages stages, TextWriter console, TimeProvider clock) : IFrameObserver
{
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _start = clock.GetUtcNow();
    private readonly Queue<string> _unspoken = new();
    private readonly List<TaskCompletionSource> _replyWaiters = [];
    private int _userSegment = -1;
    private int _botSegment = -1;
    private bool _botSpeaking;
    private int _turns;
    private int _repliesFinished;
    private int _replyEnds;
    private TimeSpan? _vadEnd;
    private TimeSpan? _transcript;
    private TimeSpan? _firstLlmText;
    private TimeSpan? _firstTtsAudio;

    public ConversationLog Log { get; } = new();

    /// <summary>Replies the avatar finished speaking.</summary>
    public int RepliesFinished
    {
        get
        {
            lock (_gate)
            {
                return _repliesFinished;
            }
        }
    }

    /// <summary>Time since the run started.</summary>
    public TimeSpan Elapsed => clock.GetUtcNow() - _start;

    /// <summary>Completes when the avatar has finished speaking <paramref name="count"/> replies.</summary>
    public Task WhenRepliesFinished(int count)
    {
        lock (_gate)
        {
            if (_repliesFinished >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(count, TaskCreationOptions.RunContinuationsAsynchronously);
            _replyWaiters.Add(waiter);
            return waiter.Task;
        }
    }

    /// <summary>Prints a line stamped with the run's time.</summary>
    public void Say(string line)
    {
        lock (_gate)
        {
            Print(line);
        }
    }

    public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
    {
        if (pushed.Direction != FrameDirection.Downstream || pushed.Frame is OutputImageRawFrame or SpeechOutputAudioRawFrame or InputAudioRawFrame)
        {
            return default; // the media frames carry no turn-taking; skip them before taking the lock
        }

        TimeSpan at = pushed.Timestamp - _start;
        lock (_gate)
        {
            if (pushed.Source == stages.Vad)
            {
                OnVad(pushed.Frame, at);
            }
            else if (pushed.Source == stages.Stt && pushed.Frame is TranscriptionFrame heard)
            {
                OnTranscript(heard, at);
            }
            else if (pushed.Source == stages.Llm && pushed.Frame is LLMTextFrame && _transcript is not null)
            {
                _firstLlmText ??= at;
            }
            else if (pushed.Source == stages.Tts)
            {
                OnTts(pushed.Frame, at);
            }
            else if (pushed.Source == stages.Avatar)
            {
                OnAvatar(pushed.Frame, at);
            }
        }

        return default;
    }

    private void OnVad(Frame frame, TimeSpan at)
    {
        switch (frame)
        {
            case UserStartedSpeakingFrame:
                _userSegment = Log.Open(Speaker.User, at, string.Empty);
                Print("user speaking");
                break;
            case UserStoppedSpeakingFrame when _userSegment >= 0:
                Log.Close(_userSegment, at);
                _vadEnd = at;
                _transcript = _firstLlmText = _firstTtsAudio = null;
                Print("user stopped (VAD) · thinking");
                break;
            default:
                break;
        }
    }

    private void OnTranscript(TranscriptionFrame heard, TimeSpan at)
    {
        _transcript ??= at;
        if (_userSegment >= 0)
        {
            Log.SetText(_userSegment, heard.Text);
        }

        _turns++;
        Print($"user said (as heard): \"{heard.Text}\"");
    }

    private void OnTts(Frame frame, TimeSpan at)
    {
        switch (frame)
        {
            case TTSAudioRawFrame when _firstLlmText is not null:
                _firstTtsAudio ??= at;
                break;
            case TTSTextFrame sentence:
                _unspoken.Enqueue(sentence.Text.Trim());
                Announce(at);
                break;
            case TTSStoppedFrame:
                _replyEnds++;
                TryFinishReply();
                break;
            default:
                break;
        }
    }

    private void OnAvatar(Frame frame, TimeSpan at)
    {
        switch (frame)
        {
            case BotStartedSpeakingFrame:
                _botSpeaking = true;
                if (_vadEnd is { } vadEnd)
                {
                    var latency = new TurnLatency(_turns, _transcript - vadEnd, _firstLlmText - vadEnd, _firstTtsAudio - vadEnd, at - vadEnd);
                    Log.Add(latency);
                    Print($"avatar speaking · turn {_turns} latency: {latency}");
                    _vadEnd = null;
                }

                Announce(at);
                break;
            case TTSTextFrame:
                // The avatar has spoken the oldest unspoken sentence.
                _unspoken.TryDequeue(out _);
                EndSentence(at);
                Announce(at);
                TryFinishReply();
                break;
            case BotStoppedSpeakingFrame:
                _botSpeaking = false;
                EndSentence(at);
                TryFinishReply();
                break;
            default:
                break;
        }
    }

    /// <summary>A reply is finished when the avatar stopped speaking, the TTS closed it, and every sentence was released.</summary>
    private void TryFinishReply()
    {
        if (_botSpeaking || _unspoken.Count > 0 || _replyEnds <= _repliesFinished)
        {
            return;
        }

        _repliesFinished = _replyEnds;
        Print("avatar done · listening");
        foreach (TaskCompletionSource waiter in _replyWaiters.Where(w => (int)w.Task.AsyncState! <= _repliesFinished).ToList())
        {
            _replyWaiters.Remove(waiter);
            waiter.TrySetResult();
        }
    }

    private void Announce(TimeSpan at)
    {
        if (!_botSpeaking || !_unspoken.TryPeek(out string? sentence) || _botSegment >= 0)
        {
            return;
        }

        _botSegment = Log.Open(Speaker.Bot, at, sentence);
        Print($"avatar speaking: \"{sentence}\"");
    }

    private void EndSentence(TimeSpan at)
    {
        if (_botSegment >= 0)
        {
            Log.Close(_botSegment, at);
            _botSegment = -1;
        }
    }

    private void Print(string line) => console.WriteLine($"[{ConversationLog.Clock(Elapsed)}] {line}");
}
