using Microsoft.Extensions.Logging;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// The avatar's media clock: every audio block (20 ms by default) of the playback clock it takes the block's speech
/// from the <see cref="SpeechTimeline"/>, delivers it as audio and renders the video frames that fall in the block,
/// with the mouth open exactly where the block carries speech. A block is produced once its time has passed, so the
/// media lags the clock by at most one block and never shows speech before the timeline placed it.
/// </summary>
internal sealed class AvatarPlayer : IAsyncDisposable
{
    /// <summary>Blocks the loop may fall behind before it skips ahead (a stalled process, a big fake-clock jump).</summary>
    private const int MaxBlocksBehind = 50;

    private readonly EmulatedAvatarOptions _options;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Func<long, byte[], (int From, int To, bool Listening)> _takeBlock;
    private readonly ILogger _logger;
    private readonly string _sessionId;
    private readonly AvatarRenderer _renderer;
    private readonly byte[] _block;
    private readonly byte[] _rgbScratch;
    private readonly int _blockSamples;
    private readonly TimeSpan _frameInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startLock = new();
    private volatile AvatarMediaSubscription[] _subscribers = [];
    private Task? _loop;
    private double _mouth;
    private long _blocksPlayed;
    private long _framesRendered;
    private long _speechSamplesPlayed;

    /// <param name="options">Render and playback settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="origin">The clock's timestamp at media time zero (shared with the avatar's timeline).</param>
    /// <param name="takeBlock">Fills a block starting at the given sample from the timeline (under the avatar's lock);
    /// returns the speech range in the block and whether the avatar is in its listening pose.</param>
    /// <param name="sessionId">For logs.</param>
    /// <param name="logger">Where a stall is reported.</param>
    public AvatarPlayer(EmulatedAvatarOptions options, TimeProvider time, long origin,
        Func<long, byte[], (int From, int To, bool Listening)> takeBlock, string sessionId, ILogger logger)
    {
        _options = options;
        _time = time;
        _origin = origin;
        _takeBlock = takeBlock;
        _sessionId = sessionId;
        _logger = logger;
        _renderer = new AvatarRenderer(options.Width, options.Height);
        _block = new byte[PcmFormat.BytesFor(options.AudioBlock, EmulatedAvatarOptions.SpeechSampleRate)];
        _blockSamples = _block.Length / 2;
        _rgbScratch = new byte[options.Width * options.Height * 3];
        _frameInterval = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / options.FrameRate));
    }

    /// <summary>The first sample not played yet: speech can no longer be placed before it.</summary>
    public long PlayedSamples => Interlocked.Read(ref _blocksPlayed) * _blockSamples;

    /// <summary>Media time played so far.</summary>
    public TimeSpan MediaTime => _options.AudioBlock * Interlocked.Read(ref _blocksPlayed);

    /// <summary>Speech played so far (silence excluded).</summary>
    public TimeSpan SpeechPlayed => EmulatedAvatar.TimeOf(Interlocked.Read(ref _speechSamplesPlayed));

    /// <summary>Video frames of the frame clock so far.</summary>
    public long FramesRendered => Interlocked.Read(ref _framesRendered);

    public void Start()
    {
        lock (_startLock)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    public AvatarMediaSubscription Subscribe(EmulatedAvatar avatar, PixelFormat videoFormat, int audioSampleRate, int audioChannels, FrameBufferPool framePool)
    {
        var subscription = new AvatarMediaSubscription(
            avatar, videoFormat, audioSampleRate, audioChannels, _options.VideoQueueFrames, _options.AudioQueueBlocks, framePool);
        lock (_startLock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    public void Unsubscribe(AvatarMediaSubscription subscription)
    {
        lock (_startLock)
        {
            _subscribers = _subscribers.Where(s => s != subscription).ToArray();
        }
    }

    /// <summary>Stops the clock and ends every subscriber's streams (the avatar left the room).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_startLock)
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

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.AudioBlock, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                long due = (long)(_time.GetElapsedTime(_origin) / _options.AudioBlock);
                long behind = due - Interlocked.Read(ref _blocksPlayed);
                if (behind > MaxBlocksBehind)
                {
                    _logger.LogWarning("Emulated avatar of session {SessionId} fell {Blocks} blocks behind its clock; skipping ahead", _sessionId, behind);
                    Interlocked.Add(ref _blocksPlayed, behind - 1);
                    Interlocked.Exchange(ref _framesRendered, (long)Math.Ceiling(MediaTime / _frameInterval));
                }

                while (Interlocked.Read(ref _blocksPlayed) < due)
                {
                    PlayBlock();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session stopped.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Emulated avatar of session {SessionId} failed", _sessionId);
        }
    }

    private void PlayBlock()
    {
        long blockIndex = Interlocked.Read(ref _blocksPlayed);
        long blockStartSample = blockIndex * _blockSamples;
        TimeSpan blockStart = _options.AudioBlock * blockIndex;
        Array.Clear(_block);
        (int speechFrom, int speechTo, bool listening) = _takeBlock(blockStartSample, _block);
        Interlocked.Add(ref _speechSamplesPlayed, speechTo - speechFrom);

        // The mouth follows the level of the speech in the block (opening at once, closing over a few blocks while the
        // speech goes on) and is shut wherever the block carries no speech, so it never outlasts the utterance.
        if (speechTo > speechFrom)
        {
            double level = Pcm16.Rms(_block.AsSpan(speechFrom * 2, (speechTo - speechFrom) * 2));
            double target = Math.Min(1, Math.Sqrt(level) * 1.6);
            _mouth = target > _mouth ? target : (_mouth * 0.55) + (target * 0.45);
        }
        else
        {
            _mouth = 0;
        }

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
            long offset = EmulatedAvatar.SamplesAt(frameTime) - blockStartSample;
            bool speaking = offset >= speechFrom && offset < speechTo;
            bool blinking = frameTime.Ticks % TimeSpan.FromSeconds(4).Ticks < TimeSpan.FromMilliseconds(120).Ticks;
            var pose = new AvatarPose(speaking ? _mouth : 0, listening, blinking);
            foreach (AvatarMediaSubscription subscriber in subscribers)
            {
                subscriber.DeliverVideo(_renderer, pose, frameTime, _rgbScratch);
            }

            frameIndex = Interlocked.Increment(ref _framesRendered);
        }

        Interlocked.Increment(ref _blocksPlayed);
    }
}
