using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// The emulator's avatar for one session, the one thing that acts on the realtime commands: it takes the speech of
/// <c>agent.speak</c>, plays it back on its playback clock (the emulator's <see cref="TimeProvider"/>), renders a face
/// whose mouth is open exactly while speech plays, and reports speak started/ended/interrupted and its activity
/// through <see cref="Played"/>, all read from one timeline, so what the events say and what the media shows agree.
/// Connected media sessions (<see cref="Subscribe"/>) receive the video and the played audio, as the avatar participant
/// of a real HeyGen room would publish them.
/// </summary>
/// <remarks>
/// Behaviour, with the confidence of each point (see the project's HeyGen reference):
/// utterances play in order, one per <c>event_id</c> (confirmed: <c>speak_started</c>/<c>speak_ended</c> carry the
/// speak's <c>event_id</c>); an utterance ends only after <c>agent.speak_end</c> and its audio has played (confirmed:
/// <c>speak_ended</c> follows playback, <c>audio_buffer_committed</c> does not mean it finished); <c>agent.interrupt</c>
/// stops at once, drops the queue and goes back to idle (documented); listening is entered only while silent and left
/// only while listening (alpha docs; assumed to be answered with a <c>warning</c> otherwise).
/// </remarks>
public sealed class EmulatedAvatar : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly SpeechTimeline _timeline = new();
    private readonly AvatarPlayer _player;
    private readonly ITimer _endTimer;
    private AvatarActivity _activity = AvatarActivity.Idle;
    private int _disposed;

    /// <summary>Creates an avatar whose playback clock starts now; call <see cref="Start"/> to start producing media.</summary>
    /// <param name="sessionId">The session it belongs to.</param>
    /// <param name="options">Render and playback settings; defaults when null.</param>
    /// <param name="timeProvider">The playback clock; the system clock when null.</param>
    /// <param name="logger">Where stalls and failures are logged.</param>
    public EmulatedAvatar(string sessionId, EmulatedAvatarOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        Options = options ?? new EmulatedAvatarOptions();
        Options.Validate();
        SessionId = sessionId;
        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        _player = new AvatarPlayer(Options, _time, _origin, TakeBlock, sessionId, logger ?? NullLogger.Instance);
        _endTimer = _time.CreateTimer(static self => ((EmulatedAvatar)self!).OnUtteranceDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Raised for each playback event, in order, at the moment it happens on the playback clock (its
    /// <see cref="AvatarPlaybackEvent.MediaTime"/> is on the same clock as the media's timestamps). Handlers run under
    /// the avatar's lock: they must be quick and must not call back into the avatar.
    /// </summary>
    public event Action<AvatarPlaybackEvent>? Played;

    /// <summary>The session this avatar belongs to.</summary>
    public string SessionId { get; }

    /// <summary>Render and playback settings.</summary>
    public EmulatedAvatarOptions Options { get; }

    /// <summary>What the avatar is doing now.</summary>
    public AvatarActivity Activity
    {
        get
        {
            lock (_lock)
            {
                return _activity;
            }
        }
    }

    /// <summary>The playback clock's time now (media time zero is when the avatar was created).</summary>
    public TimeSpan ClockTime => _time.GetElapsedTime(_origin);

    /// <summary>Media time played so far (audio blocks produced).</summary>
    public TimeSpan MediaTime => _player.MediaTime;

    /// <summary>Speech played so far (silence excluded).</summary>
    public TimeSpan SpeechPlayed => _player.SpeechPlayed;

    /// <summary>Video frames of the avatar's frame clock so far (rendered for each subscriber present at the time).</summary>
    public long FramesRendered => _player.FramesRendered;

    /// <summary>Starts producing media (idempotent).</summary>
    public void Start() => _player.Start();

    /// <summary>Adds speech (16-bit mono PCM at 24 kHz) to the utterance <paramref name="eventId"/> (<c>agent.speak</c>);
    /// a new id starts a new utterance, at once if the avatar is silent, else after the ones before it.</summary>
    /// <exception cref="ArgumentException">The audio is not whole 16-bit samples.</exception>
    public void Speak(string eventId, ReadOnlySpan<byte> pcm)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        PcmFormat.Validate(pcm.Length, EmulatedAvatarOptions.SpeechSampleRate, 1, nameof(pcm));
        lock (_lock)
        {
            long now = Now();
            if (_timeline.Append(eventId, pcm, now) is { } started)
            {
                OnStarted(started);
            }

            ScheduleEnd();
        }
    }

    /// <summary>Marks the utterance <paramref name="eventId"/> complete (<c>agent.speak_end</c>): it ends once its
    /// audio has played, at once if it already has.</summary>
    /// <returns>Whether an open utterance had this id.</returns>
    public bool SpeakEnd(string eventId)
    {
        lock (_lock)
        {
            if (_timeline.Commit(eventId, Now()) is null)
            {
                return false;
            }

            ScheduleEnd();
            return true;
        }
    }

    /// <summary>Stops speaking at once and drops everything queued (<c>agent.interrupt</c>); back to idle.</summary>
    /// <returns>Whether anything was playing or queued.</returns>
    public bool Interrupt()
    {
        lock (_lock)
        {
            bool any = !_timeline.IsIdle;
            long now = Now();
            _endTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_timeline.Interrupt(now) is { } cut)
            {
                Raise(new SpeakInterrupted(TimeOf(now), cut.EventId, cut.TaskId));
            }

            SetActivity(AvatarActivity.Idle, now);
            return any;
        }
    }

    /// <summary>Enters the listening pose (<c>agent.start_listening</c>), only while silent.</summary>
    /// <returns>False, and nothing changes, while the avatar is talking.</returns>
    public bool StartListening()
    {
        lock (_lock)
        {
            if (_activity == AvatarActivity.Talking)
            {
                return false;
            }

            SetActivity(AvatarActivity.Listening, Now());
            return true;
        }
    }

    /// <summary>Leaves the listening pose (<c>agent.stop_listening</c>).</summary>
    /// <returns>False, and nothing changes, when the avatar is not listening.</returns>
    public bool StopListening()
    {
        lock (_lock)
        {
            if (_activity != AvatarActivity.Listening)
            {
                return false;
            }

            SetActivity(AvatarActivity.Idle, Now());
            return true;
        }
    }

    /// <summary>
    /// Opens a new reader of this avatar's media, as the avatar participant of a room would publish it: video frames in
    /// <paramref name="videoFormat"/> and the played audio (silence between utterances) resampled to
    /// <paramref name="audioSampleRate"/>. Both streams are bounded (a slow reader loses the oldest frames) and end when
    /// the avatar is disposed. For hosts that carry the avatar somewhere else, e.g. an emulated LiveKit avatar worker
    /// publishing it into a room.
    /// </summary>
    /// <param name="videoFormat">Pixel format of the frames.</param>
    /// <param name="audioSampleRate">Sample rate of the audio, in Hz.</param>
    /// <param name="audioChannels">1 or 2 (the mono speech duplicated).</param>
    /// <param name="avatarIdentity">The identity the session's participant events name.</param>
    /// <returns>The media session; dispose it to stop reading.</returns>
    public IAvatarMediaSession OpenMediaSession(PixelFormat videoFormat, int audioSampleRate, int audioChannels = 1, string avatarIdentity = "avatar")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(avatarIdentity);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new EmulatedMediaSession(Subscribe(videoFormat, audioSampleRate, audioChannels), avatarIdentity);
    }

    /// <summary>Starts delivering this avatar's media to a new reader, in the given video format and audio rate/channels.</summary>
    internal AvatarMediaSubscription Subscribe(PixelFormat videoFormat, int audioSampleRate, int audioChannels, FrameBufferPool? framePool = null) =>
        _player.Subscribe(this, videoFormat, audioSampleRate, audioChannels, framePool ?? FrameBufferPool.Shared);

    /// <summary>Stops the playback clock and ends every subscriber's streams.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_lock)
        {
            _endTimer.Dispose();
        }

        await _player.DisposeAsync().ConfigureAwait(false);
    }

    internal void Unsubscribe(AvatarMediaSubscription subscription) => _player.Unsubscribe(subscription);

    /// <summary>The 24 kHz sample at <paramref name="time"/> on the playback clock (rounded down).</summary>
    internal static long SamplesAt(TimeSpan time) =>
        (long)((Int128)time.Ticks * EmulatedAvatarOptions.SpeechSampleRate / TimeSpan.TicksPerSecond);

    /// <summary>The playback-clock time of <paramref name="samples"/> (rounded down).</summary>
    internal static TimeSpan TimeOf(long samples) =>
        TimeSpan.FromTicks((long)((Int128)samples * TimeSpan.TicksPerSecond / EmulatedAvatarOptions.SpeechSampleRate));

    // Speech can be placed from now on, but never into a block already played.
    private long Now() => Math.Max(SamplesAt(_time.GetElapsedTime(_origin)), _player.PlayedSamples);

    // The player's view of the timeline: one block of speech and the pose, under the lock.
    private (int From, int To, bool Listening) TakeBlock(long blockStart, byte[] block)
    {
        lock (_lock)
        {
            (int from, int to) = _timeline.Play(blockStart, block);
            return (from, to, _activity == AvatarActivity.Listening);
        }
    }

    // Called under the lock: arms the timer for the playing utterance's end, or ends it (and the ones after it) now.
    private void ScheduleEnd()
    {
        while (_timeline.CurrentEnd is { } end)
        {
            long now = SamplesAt(_time.GetElapsedTime(_origin));
            if (end > now)
            {
                // Rounded up, so the timer never fires before the last sample's time.
                long ticks = (long)(((Int128)(end - now) * TimeSpan.TicksPerSecond + EmulatedAvatarOptions.SpeechSampleRate - 1) / EmulatedAvatarOptions.SpeechSampleRate);
                _endTimer.Change(TimeSpan.FromTicks(ticks), Timeout.InfiniteTimeSpan);
                return;
            }

            (SpeechTimeline.Utterance ended, long endedAt, SpeechTimeline.Utterance? next) = _timeline.FinishCurrent(_player.PlayedSamples);
            Raise(new SpeakEnded(TimeOf(endedAt), ended.EventId, ended.TaskId));
            if (next is null)
            {
                SetActivity(AvatarActivity.Idle, endedAt);
                return;
            }

            OnStarted(next);
        }
    }

    private void OnUtteranceDue()
    {
        lock (_lock)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                ScheduleEnd();
            }
        }
    }

    private void OnStarted(SpeechTimeline.Utterance utterance)
    {
        Raise(new SpeakStarted(TimeOf(utterance.Start), utterance.EventId, utterance.TaskId));
        SetActivity(AvatarActivity.Talking, utterance.Start);
    }

    private void SetActivity(AvatarActivity activity, long at)
    {
        if (activity == _activity)
        {
            return;
        }

        AvatarActivity previous = _activity;
        _activity = activity;
        Raise(new ActivityChanged(TimeOf(at), previous, activity));
    }

    private void Raise(AvatarPlaybackEvent playbackEvent) => Played?.Invoke(playbackEvent);
}
