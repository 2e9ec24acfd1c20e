using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// The emulator's avatar for one session: it buffers the speech received through <c>agent.speak</c>, plays it back
/// in real time (on the emulator's <see cref="TimeProvider"/>), and renders a face whose mouth follows the level of
/// what it is playing. Connected media sessions receive the video and the played audio, time-aligned, exactly as the
/// avatar participant of a real HeyGen room would publish them; playback events (speak started/ended/interrupted,
/// activity) are available to the realtime endpoint through <see cref="Events"/>.
/// </summary>
public sealed class EmulatedAvatar : IAsyncDisposable
{
    private readonly EmulatedAvatarOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly AvatarRenderer _renderer;
    private readonly Lock _lock = new();
    private readonly Queue<Utterance> _utterances = new();
    private readonly Channel<AvatarPlaybackEvent> _events = Channel.CreateUnbounded<AvatarPlaybackEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _block;
    private readonly byte[] _rgbScratch;
    private readonly TimeSpan _frameInterval;
    private volatile AvatarMediaSubscription[] _subscribers = [];
    private Task? _loop;
    private AvatarActivity _activity = AvatarActivity.Idle;
    private bool _listening;
    private double _mouth;
    private long _blocksPlayed;
    private long _framesRendered;
    private long _speechSamplesPlayed;

    /// <summary>Creates an avatar; call <see cref="Start"/> to start its playback clock.</summary>
    public EmulatedAvatar(string sessionId, EmulatedAvatarOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        _options = options ?? new EmulatedAvatarOptions();
        _options.Validate();
        SessionId = sessionId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _renderer = new AvatarRenderer(_options.Width, _options.Height);
        _block = new byte[PcmFormat.BytesFor(_options.AudioBlock, EmulatedAvatarOptions.SpeechSampleRate)];
        _rgbScratch = new byte[_options.Width * _options.Height * 3];
        _frameInterval = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / _options.FrameRate));
    }

    /// <summary>The session this avatar belongs to.</summary>
    public string SessionId { get; }

    /// <summary>Render and playback settings.</summary>
    public EmulatedAvatarOptions Options => _options;

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

    /// <summary>Playback events, in media-time order. One reader (the session's realtime endpoint).</summary>
    public ChannelReader<AvatarPlaybackEvent> Events => _events.Reader;

    /// <summary>Media time played so far.</summary>
    public TimeSpan MediaTime => _options.AudioBlock * Interlocked.Read(ref _blocksPlayed);

    /// <summary>Speech played so far (silence excluded).</summary>
    public TimeSpan SpeechPlayed => PcmFormat.DurationOf((int)Math.Min(int.MaxValue, Interlocked.Read(ref _speechSamplesPlayed) * 2), EmulatedAvatarOptions.SpeechSampleRate);

    /// <summary>Video frames of the avatar's frame clock so far (rendered for each subscriber present at the time).</summary>
    public long FramesRendered => Interlocked.Read(ref _framesRendered);

    /// <summary>Starts the playback clock (idempotent).</summary>
    public void Start()
    {
        lock (_lock)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Adds speech (16-bit mono PCM at 24 kHz) to the utterance <paramref name="eventId"/>.</summary>
    /// <exception cref="ArgumentException">The audio is not whole 16-bit samples.</exception>
    public void AppendSpeech(string eventId, ReadOnlySpan<byte> pcm)
    {
        PcmFormat.Validate(pcm.Length, EmulatedAvatarOptions.SpeechSampleRate, 1, nameof(pcm));
        lock (_lock)
        {
            Utterance utterance = FindOpenUtterance(eventId) ?? Enqueue(eventId);
            utterance.Audio.Write(pcm);
        }
    }

    /// <summary>Marks the utterance <paramref name="eventId"/> (or, if unknown, the newest one) complete.</summary>
    public void EndSpeech(string eventId)
    {
        lock (_lock)
        {
            Utterance? utterance = FindOpenUtterance(eventId) ?? _utterances.LastOrDefault(u => !u.Ended);
            if (utterance is not null)
            {
                utterance.Ended = true;
            }
        }
    }

    /// <summary>Stops speaking at once and drops everything queued.</summary>
    /// <returns>Whether there was anything to interrupt.</returns>
    public bool Interrupt()
    {
        lock (_lock)
        {
            bool any = _utterances.Count > 0;
            foreach (Utterance utterance in _utterances)
            {
                if (utterance.Started)
                {
                    Publish(new SpeakInterrupted(MediaTime, utterance.EventId));
                }
            }

            _utterances.Clear();
            SetActivity(_listening ? AvatarActivity.Listening : AvatarActivity.Idle);
            return any;
        }
    }

    /// <summary>Enters or leaves the listening pose (only shown while silent).</summary>
    public void SetListening(bool listening)
    {
        lock (_lock)
        {
            _listening = listening;
            if (_activity != AvatarActivity.Talking)
            {
                SetActivity(listening ? AvatarActivity.Listening : AvatarActivity.Idle);
            }
        }
    }

    /// <summary>
    /// Starts delivering this avatar's media to a new reader, in the given video format and audio rate/channels.
    /// </summary>
    public AvatarMediaSubscription Subscribe(PixelFormat videoFormat, int audioSampleRate, int audioChannels)
    {
        var subscription = new AvatarMediaSubscription(this, videoFormat, audioSampleRate, audioChannels, _options.VideoQueueFrames);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    internal void Unsubscribe(AvatarMediaSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(s => s != subscription).ToArray();
        }
    }

    /// <summary>Stops the playback clock and ends every subscriber's streams.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        foreach (AvatarMediaSubscription subscriber in _subscribers)
        {
            subscriber.Complete(avatarLeft: true);
        }

        _events.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.AudioBlock, _timeProvider);
        long start = _timeProvider.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                long due = (long)(_timeProvider.GetElapsedTime(start) / _options.AudioBlock);
                long behind = due - Interlocked.Read(ref _blocksPlayed);
                if (behind > 50)
                {
                    // The process stalled (debugger, overloaded machine): skip ahead like a live stream would.
                    LogSkipped(behind);
                    Interlocked.Add(ref _blocksPlayed, behind - 1);
                }

                while (Interlocked.Read(ref _blocksPlayed) < due)
                {
                    PlayBlock();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Session stopped.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Emulated avatar of session {SessionId} failed", SessionId);
        }
    }

    private void PlayBlock()
    {
        TimeSpan blockStart = MediaTime;
        Array.Clear(_block);
        int speechBytes;
        bool listening;
        lock (_lock)
        {
            speechBytes = FillFromUtterances(blockStart);
            listening = _activity == AvatarActivity.Listening;
        }

        Interlocked.Add(ref _speechSamplesPlayed, speechBytes / 2);
        double level = Pcm16.Rms(_block);
        double target = Math.Min(1, Math.Sqrt(level) * 1.6);
        _mouth = target > _mouth ? target : (_mouth * 0.55) + (target * 0.45);

        AvatarMediaSubscription[] subscribers = _subscribers;
        foreach (AvatarMediaSubscription subscriber in subscribers)
        {
            subscriber.DeliverAudio(_block, blockStart);
        }

        TimeSpan blockEnd = blockStart + _options.AudioBlock;
        long frameIndex = Interlocked.Read(ref _framesRendered);
        while (_frameInterval * frameIndex < blockEnd)
        {
            TimeSpan frameTime = _frameInterval * frameIndex;
            bool blinking = frameTime.Ticks % TimeSpan.FromSeconds(4).Ticks < TimeSpan.FromMilliseconds(120).Ticks;
            var pose = new AvatarPose(_mouth, listening, blinking);
            foreach (AvatarMediaSubscription subscriber in subscribers)
            {
                subscriber.DeliverVideo(_renderer, pose, frameTime, _rgbScratch);
            }

            frameIndex = Interlocked.Increment(ref _framesRendered);
        }

        Interlocked.Increment(ref _blocksPlayed);
    }

    // Called under the lock: copies queued speech into the block, publishing speak started/ended as it goes.
    private int FillFromUtterances(TimeSpan blockStart)
    {
        int filled = 0;
        while (filled < _block.Length && _utterances.TryPeek(out Utterance? utterance))
        {
            int available = utterance.Audio.WrittenCount - utterance.ReadPosition;
            if (available > 0)
            {
                if (!utterance.Started)
                {
                    utterance.Started = true;
                    TimeSpan at = blockStart + PcmFormat.DurationOf(filled, EmulatedAvatarOptions.SpeechSampleRate);
                    Publish(new SpeakStarted(at, utterance.EventId));
                    SetActivity(AvatarActivity.Talking);
                }

                int take = Math.Min(available, _block.Length - filled);
                utterance.Audio.WrittenSpan.Slice(utterance.ReadPosition, take).CopyTo(_block.AsSpan(filled));
                utterance.ReadPosition += take;
                filled += take;
            }
            else if (utterance.Ended)
            {
                _utterances.Dequeue();
                if (utterance.Started)
                {
                    TimeSpan at = blockStart + PcmFormat.DurationOf(filled, EmulatedAvatarOptions.SpeechSampleRate);
                    Publish(new SpeakEnded(at, utterance.EventId));
                }

                if (_utterances.Count == 0)
                {
                    SetActivity(_listening ? AvatarActivity.Listening : AvatarActivity.Idle);
                }
            }
            else
            {
                break; // waiting for more audio of this utterance: silence meanwhile
            }
        }

        return filled;
    }

    private Utterance? FindOpenUtterance(string eventId) =>
        _utterances.LastOrDefault(u => !u.Ended && string.Equals(u.EventId, eventId, StringComparison.Ordinal));

    private Utterance Enqueue(string eventId)
    {
        var utterance = new Utterance(eventId);
        _utterances.Enqueue(utterance);
        return utterance;
    }

    private void SetActivity(AvatarActivity activity)
    {
        if (activity != _activity)
        {
            Publish(new ActivityChanged(MediaTime, _activity, activity));
            _activity = activity;
        }
    }

    private void Publish(AvatarPlaybackEvent playbackEvent) => _events.Writer.TryWrite(playbackEvent);

    private void LogSkipped(long blocks) =>
        _logger.LogWarning("Emulated avatar of session {SessionId} fell {Blocks} blocks behind real time; skipping ahead", SessionId, blocks);

    private sealed class Utterance(string eventId)
    {
        public string EventId { get; } = eventId;

        public ArrayBufferWriter<byte> Audio { get; } = new();

        public int ReadPosition { get; set; }

        public bool Started { get; set; }

        public bool Ended { get; set; }
    }
}
