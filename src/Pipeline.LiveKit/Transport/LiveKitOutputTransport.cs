using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.Core.Video;

namespace Pipeline.LiveKit;

/// <summary>
/// The output side of a <see cref="LiveKitTransport"/>: publishes <see cref="OutputImageRawFrame"/>s as a video track
/// and <see cref="OutputAudioRawFrame"/>s as an audio track in the transport's room, in real time. Put it last in
/// the pipeline; get it from <see cref="LiveKitTransport.Output"/>.
/// </summary>
/// <remarks>
/// <para>
/// On <see cref="StartFrame"/> it joins the room (if the input has not already) and publishes its tracks, then sends
/// an <see cref="OutputTransportReadyFrame"/> upstream, which opens an avatar service's media gate. Media frames are
/// consumed (not passed on); everything else passes on.
/// </para>
/// <para>
/// Pacing: audio is paced by the engine's queue (<see cref="LiveKitTransportOptions.OutputAudioQueueMilliseconds"/>):
/// sending waits once that much is queued. Pictures are sent at their presentation timestamps, or at most
/// <see cref="LiveKitTransportOptions.VideoFramesPerSecond"/> when they have none, on the pipeline's clock. Frames are
/// handled in the order they arrive, so audio and video stay in the order the pipeline made them.
/// </para>
/// <para>
/// An <see cref="InterruptionFrame"/> drops the audio queued in the engine. A frame that cannot be sent (wrong size or
/// channel count, a track that is not published) is dropped with a non-fatal <see cref="ErrorFrame"/> saying what to
/// change, once per distinct problem, and counted in <see cref="RejectedVideoFrames"/>/<see cref="RejectedAudioFrames"/>.
/// RGB24 pictures are converted to I420 in a buffer the processor owns; RGBA and I420 go to the engine as they are.
/// </para>
/// </remarks>
public sealed class LiveKitOutputTransport : FrameProcessor
{
    private readonly IOutputTransportLink _link;
    private readonly LiveKitTransportOptions _options;
    private IOutputMediaSink? _sink;
    private OutputMediaFormat _format;
    private OutputVideoPacer? _pacer;
    private OutputAudioResampler? _resampler;
    private byte[]? _i420;
    private string? _videoProblem;
    private string? _audioProblem;
    private long _audioPlayedOutAt;
    private long _sentVideo;
    private long _sentAudioSamples;
    private long _rejectedVideo;
    private long _rejectedAudio;
    private int _released;

    internal LiveKitOutputTransport(IOutputTransportLink link, LiveKitTransportOptions options, string? name = null)
        : base(name)
    {
        _link = link;
        _options = options;
    }

    /// <summary>Pictures sent on the video track.</summary>
    public long SentVideoFrames => Interlocked.Read(ref _sentVideo);

    /// <summary>Audio sent on the audio track, in samples per channel at the track's rate.</summary>
    public long SentAudioSamples => Interlocked.Read(ref _sentAudioSamples);

    /// <summary>Pictures dropped because they could not be sent (each problem reported once as an <see cref="ErrorFrame"/>).</summary>
    public long RejectedVideoFrames => Interlocked.Read(ref _rejectedVideo);

    /// <summary>Audio frames dropped because they could not be sent (each problem reported once as an <see cref="ErrorFrame"/>).</summary>
    public long RejectedAudioFrames => Interlocked.Read(ref _rejectedAudio);

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame start:
                if (await PublishAsync(start, cancellationToken).ConfigureAwait(false))
                {
                    await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                    await PushFrameAsync(new OutputTransportReadyFrame(), FrameDirection.Upstream, cancellationToken).ConfigureAwait(false);
                }

                return;
            case OutputImageRawFrame image when direction == FrameDirection.Downstream:
                await SendVideoAsync(image, cancellationToken).ConfigureAwait(false);
                return;
            case OutputAudioRawFrame audio when direction == FrameDirection.Downstream:
                await SendAudioAsync(audio, cancellationToken).ConfigureAwait(false);
                return;
            case InterruptionFrame:
                _sink?.ClearAudio();
                _audioPlayedOutAt = 0;
                break;
            case EndFrame:
                await WaitForQueuedAudioAsync(cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                await ReleaseAsync().ConfigureAwait(false);
                return;
            case CancelFrame:
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                await ReleaseAsync().ConfigureAwait(false);
                return;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        _resampler?.Dispose();
    }

    private async ValueTask<bool> PublishAsync(StartFrame start, CancellationToken cancellationToken)
    {
        if (_sink is not null)
        {
            await PushErrorAsync($"{Name} received a second StartFrame: an output transport runs in one pipeline, once.", fatal: true).ConfigureAwait(false);
            return false;
        }

        int rate = _options.OutputSampleRate ?? start.AudioOutSampleRate;
        _format = new OutputMediaFormat(
            _options.PublishVideo ? _options.VideoWidth : 0,
            _options.PublishVideo ? _options.VideoHeight : 0,
            _options.PublishAudio ? rate : 0,
            _options.OutputChannels);
        _pacer = new OutputVideoPacer(TimeProvider, _options.VideoFramesPerSecond);
        try
        {
            _sink = await _link.OpenOutputAsync(_format, cancellationToken).ConfigureAwait(false);
            Logger.LogInformation("{Processor}: publishing video {Width}x{Height} and audio {SampleRate} Hz x{Channels} (0 = not published)",
                Name, _format.VideoWidth, _format.VideoHeight, _format.AudioSampleRate, _format.AudioChannels);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            await PushErrorAsync($"{Name}: could not publish the bot's tracks in the LiveKit room: {e.Message}", e, fatal: true).ConfigureAwait(false);
            return false;
        }
    }

    private async ValueTask SendVideoAsync(OutputImageRawFrame image, CancellationToken cancellationToken)
    {
        if (_sink is null || _pacer is null)
        {
            return; // not started: the start failure was reported as fatal
        }

        if (!_format.HasVideo)
        {
            await RejectVideoAsync("no video track is published (LiveKitTransportOptions.PublishVideo is false): set it to true, or drop pictures before the output").ConfigureAwait(false);
            return;
        }

        if (image.Width != _format.VideoWidth || image.Height != _format.VideoHeight)
        {
            await RejectVideoAsync(
                $"a {image.Width}x{image.Height} picture does not fit the {_format.VideoWidth}x{_format.VideoHeight} video track: set " +
                $"LiveKitTransportOptions.VideoWidth/VideoHeight to {image.Width}/{image.Height} (the size of your pictures), or scale them").ConfigureAwait(false);
            return;
        }

        TimeSpan delay = _pacer.DelayFor(image.PresentationTimestamp);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        ReadOnlySpan<byte> pixels = image.Image.Span;
        PixelFormat format = image.Format;
        if (format == PixelFormat.Rgb24)
        {
            // The engine captures RGBA or I420 only; I420 is what the encoder wants, so convert once, into our buffer.
            _i420 ??= new byte[PixelFormats.BufferSize(PixelFormat.I420, image.Width, image.Height)];
            PixelConverter.Rgb24ToI420(pixels, image.Width, image.Height, _i420);
            pixels = _i420;
            format = PixelFormat.I420;
        }

        _sink.CaptureVideo(pixels, image.Width, image.Height, format, _pacer.TimestampMicroseconds);
        Interlocked.Increment(ref _sentVideo);
    }

    private async ValueTask SendAudioAsync(OutputAudioRawFrame audio, CancellationToken cancellationToken)
    {
        if (_sink is null)
        {
            return;
        }

        if (!_format.HasAudio)
        {
            await RejectAudioAsync("no audio track is published (LiveKitTransportOptions.PublishAudio is false): set it to true, or drop audio before the output").ConfigureAwait(false);
            return;
        }

        if (audio.Channels != _format.AudioChannels)
        {
            await RejectAudioAsync(
                $"{audio.Channels}-channel audio does not fit the {_format.AudioChannels}-channel audio track: set " +
                $"LiveKitTransportOptions.OutputChannels to {audio.Channels}, or mix the audio to {_format.AudioChannels} channel(s)").ConfigureAwait(false);
            return;
        }

        ReadOnlyMemory<byte> pcm = audio.Audio;
        if (audio.SampleRate != _format.AudioSampleRate)
        {
            if (audio.Channels != 1)
            {
                await RejectAudioAsync(
                    $"{audio.SampleRate} Hz stereo audio cannot be resampled to the track's {_format.AudioSampleRate} Hz (mono only): set " +
                    $"LiveKitTransportOptions.OutputSampleRate to {audio.SampleRate}").ConfigureAwait(false);
                return;
            }

            _resampler ??= new OutputAudioResampler(_format.AudioSampleRate);
            pcm = _resampler.Resample(pcm, audio.SampleRate);
        }

        if (pcm.IsEmpty)
        {
            return;
        }

        await _sink.CaptureAudioAsync(pcm, cancellationToken).ConfigureAwait(false);
        int samples = pcm.Length / (2 * _format.AudioChannels);
        Interlocked.Add(ref _sentAudioSamples, samples);
        long now = TimeProvider.GetTimestamp();
        long start = Math.Max(now, _audioPlayedOutAt);
        _audioPlayedOutAt = start + (samples * TimeProvider.TimestampFrequency / _format.AudioSampleRate);
    }

    // Lets the engine's queue play out before the room is left: at most the queue's length after the last capture.
    private async ValueTask WaitForQueuedAudioAsync(CancellationToken cancellationToken)
    {
        long now = TimeProvider.GetTimestamp();
        if (_audioPlayedOutAt <= now)
        {
            return;
        }

        TimeSpan left = TimeProvider.GetElapsedTime(now, _audioPlayedOutAt);
        TimeSpan cap = TimeSpan.FromMilliseconds(_options.OutputAudioQueueMilliseconds);
        await Task.Delay(left < cap ? left : cap, TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask RejectVideoAsync(string problem)
    {
        Interlocked.Increment(ref _rejectedVideo);
        if (string.Equals(problem, _videoProblem, StringComparison.Ordinal))
        {
            return default;
        }

        _videoProblem = problem;
        return PushErrorAsync($"{Name} dropped a picture: {problem}. Pictures with this problem are dropped and counted in RejectedVideoFrames.");
    }

    private ValueTask RejectAudioAsync(string problem)
    {
        Interlocked.Increment(ref _rejectedAudio);
        if (string.Equals(problem, _audioProblem, StringComparison.Ordinal))
        {
            return default;
        }

        _audioProblem = problem;
        return PushErrorAsync($"{Name} dropped audio: {problem}. Audio with this problem is dropped and counted in RejectedAudioFrames.");
    }

    private ValueTask ReleaseAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _link.ReleaseOutputAsync() : default;
}
