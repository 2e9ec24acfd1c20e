using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.LiveKit;

/// <summary>
/// The input side of a <see cref="LiveKitTransport"/>: the microphone of the participant the transport listens to, as
/// <see cref="InputAudioRawFrame"/>s at the pipeline's input rate, plus <see cref="ParticipantJoinedFrame"/> and
/// <see cref="ParticipantLeftFrame"/> for everyone in the room. Put it first in the pipeline; get it from
/// <see cref="LiveKitTransport.Input"/>.
/// </summary>
/// <remarks>
/// <para>
/// On <see cref="StartFrame"/> it joins the room (a failure to join is a fatal <see cref="ErrorFrame"/>). The engine
/// decodes, resamples and remixes the microphone to <see cref="LiveKitTransportOptions.InputSampleRate"/> (default: the
/// pipeline's) and <see cref="LiveKitTransportOptions.InputChannels"/>; each block is copied out of native memory.
/// </para>
/// <para>
/// When the user leaves and <see cref="LiveKitTransportOptions.EndWhenParticipantLeaves"/> is set, an
/// <see cref="EndFrame"/> follows the user's last audio, so the pipeline ends gracefully. When the room itself
/// disconnects (the server closed it), a fatal <see cref="ErrorFrame"/> ends the run.
/// </para>
/// </remarks>
public sealed class LiveKitInputTransport : FrameProcessor
{
    private readonly LiveKitTransport _transport;
    private readonly LiveKitTransportOptions _options;
    private readonly object _gate = new();
    // Streams (not frames) in subscription order: one reader task walks them, so audio is pushed from one task, in order.
    private readonly Channel<AudioStream> _streams = Channel.CreateUnbounded<AudioStream>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Frame> _events = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private RemoteTrack? _microphone;
    private AudioStream? _stream;
    private int _sampleRate;
    private string? _endReason;
    private volatile bool _stopped;
    private long _receivedFrames;
    private int _released;

    internal LiveKitInputTransport(LiveKitTransport transport, LiveKitTransportOptions options)
        : base("LiveKitInputTransport")
    {
        _transport = transport;
        _options = options;
    }

    /// <summary>Audio blocks pushed downstream so far.</summary>
    public long ReceivedAudioFrames => Interlocked.Read(ref _receivedFrames);

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame start:
                _sampleRate = _options.InputSampleRate ?? start.AudioInSampleRate;
                try
                {
                    await _transport.ConnectAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    await PushErrorAsync($"{Name}: could not join the LiveKit room: {e.Message}", e, fatal: true).ConfigureAwait(false);
                    return;
                }

                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                _ = StartBackgroundTask($"{Name}.audio", PumpAudioAsync);
                _ = StartBackgroundTask($"{Name}.events", PumpEventsAsync);
                lock (_gate)
                {
                    if (_microphone is not null && _stream is null)
                    {
                        Open(_microphone);
                    }
                }

                return;
            case EndFrame or CancelFrame:
                Stop();
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                await ReleaseAsync().ConfigureAwait(false);
                return;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        Stop();
        while (_streams.Reader.TryRead(out AudioStream? stream))
        {
            stream.Dispose();
        }

        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>The user's microphone was subscribed (room task; the track is valid until <see cref="OnTrackGone"/>).</summary>
    internal void OnMicrophone(RemoteTrack track)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _microphone = track;
            if (_sampleRate != 0)
            {
                Open(track);
            }
        }

        Logger.LogInformation("{Processor}: listening to {Identity}'s microphone (track {TrackSid})", Name, track.ParticipantIdentity, track.Sid);
    }

    /// <summary>A track was unsubscribed (room task, before the room releases it).</summary>
    internal void OnTrackGone(string trackSid)
    {
        lock (_gate)
        {
            if (_microphone is { } microphone && string.Equals(microphone.Sid, trackSid, StringComparison.Ordinal))
            {
                _microphone = null;
                _stream?.Dispose(); // ends its read: the reader moves on to the next stream
                _stream = null;
            }
        }
    }

    internal void OnParticipantJoined(string identity, bool isUser) => _events.Writer.TryWrite(new ParticipantJoinedFrame(identity, isUser));

    internal void OnParticipantLeft(string identity, bool isUser, DisconnectReason reason)
    {
        _events.Writer.TryWrite(new ParticipantLeftFrame(identity, isUser, reason.ToString()));
        if (!isUser || !_options.EndWhenParticipantLeaves)
        {
            return;
        }

        lock (_gate)
        {
            _endReason = $"the user {identity} left the LiveKit room ({reason})";
            _microphone = null;
            _stream?.Dispose();
            _stream = null;
            _streams.Writer.TryComplete(); // the reader ends after the last stream, then pushes the EndFrame
        }
    }

    /// <summary>The room disconnected without being asked to (the server closed it or the connection was lost).</summary>
    internal void OnRoomClosed(DisconnectReason reason)
    {
        if (_stopped)
        {
            return;
        }

        _events.Writer.TryWrite(new ErrorFrame(
            $"{Name}: the LiveKit room disconnected ({reason}); the pipeline cannot hear the user any more.", fatal: true));
    }

    private void Open(RemoteTrack track)
    {
        _stream?.Dispose();
        var stream = AudioStream.Create(track, new AudioStreamOptions
        {
            SampleRate = _sampleRate,
            Channels = _options.InputChannels,
            FrameSizeMilliseconds = _options.InputFrameMilliseconds,
        });
        _stream = stream;
        if (!_streams.Writer.TryWrite(stream))
        {
            stream.Dispose();
            _stream = null;
        }
    }

    private async Task PumpAudioAsync(CancellationToken cancellationToken)
    {
        await foreach (AudioStream stream in _streams.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await foreach (AudioFrame block in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    using (block)
                    {
                        if (_stopped)
                        {
                            continue;
                        }

                        // The block's memory is the engine's and is released now: the frame gets its own copy.
                        var frame = new InputAudioRawFrame(block.Data.ToArray(), block.SampleRate, block.Channels);
                        await PushFrameAsync(frame, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
                        Interlocked.Increment(ref _receivedFrames);
                    }
                }
            }
            finally
            {
                stream.Dispose();
            }
        }

        string? reason;
        lock (_gate)
        {
            reason = _endReason;
        }

        if (reason is not null && !_stopped)
        {
            Logger.LogInformation("{Processor}: ending the pipeline: {Reason}", Name, reason);
            _stopped = true;
            await PushFrameAsync(new EndFrame { Reason = reason }, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    private async Task PumpEventsAsync(CancellationToken cancellationToken)
    {
        await foreach (Frame frame in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (frame is ErrorFrame error)
            {
                await PushErrorAsync(error.Message, fatal: error.IsFatal).ConfigureAwait(false);
            }
            else
            {
                await PushFrameAsync(frame, FrameDirection.Downstream, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Stop()
    {
        _stopped = true;
        lock (_gate)
        {
            _microphone = null;
            _stream?.Dispose();
            _stream = null;
            _streams.Writer.TryComplete();
        }

        _events.Writer.TryComplete();
    }

    private ValueTask ReleaseAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _transport.ReleaseSideAsync() : default;
}
