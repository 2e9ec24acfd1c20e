namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// The avatar of one emulated session: a playback buffer fed by <c>agent.speak</c> and the state events the service
/// sends about it. Utterances (one per <c>event_id</c>) play one after another in real time on the session clock:
/// <c>agent.speak_started</c> when one starts playing (with <c>agent.state_updated</c> to <c>talking</c>),
/// <c>agent.speak_ended</c> when its audio has played and <c>agent.speak_end</c> has been received (then back to
/// <c>idle</c>), <c>agent.speak_interrupted</c> on <c>agent.interrupt</c>. It outlives a single websocket connection.
/// </summary>
internal sealed class EmulatedAvatar : IDisposable
{
    private const int BytesPerSecond = 24_000 * 2;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Action<string> _emit;
    private readonly ITimer _endTimer;
    private readonly Queue<Utterance> _queued = new();
    private Utterance? _playing;
    private long _playingSince;
    private string _state = "idle";

    public EmulatedAvatar(TimeProvider time, Action<string> emit)
    {
        _time = time;
        _emit = emit;
        _endTimer = time.CreateTimer(static self => ((EmulatedAvatar)self!).OnPlaybackFinished(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The avatar's state: idle, listening or talking.</summary>
    public string State
    {
        get
        {
            lock (_lock) return _state;
        }
    }

    public void Speak(string eventId, int audioBytes)
    {
        lock (_lock)
        {
            _emit(RealtimeServerMessages.AudioBufferAppended(eventId));
            var utterance = _playing?.EventId == eventId ? _playing : _queued.FirstOrDefault(u => u.EventId == eventId);
            if (utterance is null)
            {
                utterance = new Utterance(eventId);
                _queued.Enqueue(utterance);
            }

            utterance.Audio += TimeSpan.FromSeconds((double)audioBytes / BytesPerSecond);
            if (_playing is null) StartNext();
            else if (utterance == _playing) ScheduleEnd();
        }
    }

    public void SpeakEnd(string eventId)
    {
        lock (_lock)
        {
            _emit(RealtimeServerMessages.AudioBufferCommitted(eventId));
            var utterance = _playing?.EventId == eventId ? _playing : _queued.FirstOrDefault(u => u.EventId == eventId);
            if (utterance is null) return;
            utterance.Committed = true;
            if (utterance == _playing) ScheduleEnd();
        }
    }

    public void Interrupt(string? eventId)
    {
        lock (_lock)
        {
            _endTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_playing is not null) _emit(RealtimeServerMessages.SpeakInterrupted(_playing.EventId, _playing.TaskId));
            _playing = null;
            _queued.Clear();
            _emit(RealtimeServerMessages.AudioBufferCleared(eventId));
            MoveTo("idle");
        }
    }

    public void StartListening()
    {
        lock (_lock)
        {
            if (_state == "talking") _emit(RealtimeServerMessages.Warning("agent.start_listening is ignored while the avatar is talking"));
            else MoveTo("listening");
        }
    }

    public void StopListening()
    {
        lock (_lock)
        {
            if (_state != "listening") _emit(RealtimeServerMessages.Warning("agent.stop_listening is ignored while the avatar is not listening"));
            else MoveTo("idle");
        }
    }

    public void Dispose() => _endTimer.Dispose();

    private void StartNext()
    {
        if (!_queued.TryDequeue(out var next))
        {
            _playing = null;
            MoveTo("idle");
            return;
        }

        _playing = next;
        _playingSince = _time.GetTimestamp();
        _emit(RealtimeServerMessages.SpeakStarted(next.EventId, next.TaskId));
        MoveTo("talking");
        ScheduleEnd();
    }

    private void ScheduleEnd()
    {
        if (_playing is not { Committed: true } playing) return;
        var remaining = playing.Audio - _time.GetElapsedTime(_playingSince);
        _endTimer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void OnPlaybackFinished()
    {
        lock (_lock)
        {
            if (_playing is not { Committed: true } finished) return;
            if (_time.GetElapsedTime(_playingSince) < finished.Audio)
            {
                ScheduleEnd();
                return;
            }

            _emit(RealtimeServerMessages.SpeakEnded(finished.EventId, finished.TaskId));
            StartNext();
        }
    }

    private void MoveTo(string state)
    {
        if (_state == state) return;
        _emit(RealtimeServerMessages.AgentStateUpdated(_state, state));
        _state = state;
    }

    private sealed class Utterance(string eventId)
    {
        public string EventId { get; } = eventId;

        public string TaskId { get; } = Guid.NewGuid().ToString();

        public TimeSpan Audio { get; set; }

        public bool Committed { get; set; }
    }
}
