using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.LiveKit;

/// <summary>
/// The avatar room as an <see cref="IAvatarMediaSession"/>: streams are opened on the avatar participant's tracks
/// as they are subscribed and closed as they go; other participants' tracks are ignored.
/// </summary>
/// <remarks>
/// One queue per kind between the engine and the reader: the reader walks the track streams in subscription order,
/// reading each stream's own bounded buffer directly (no pump task, no second buffer); a re-subscription replaces the
/// stream and the reader moves on to the new one. An error reading a stream ends the read with that error; leaving the
/// room ends the reads normally.
/// </remarks>
internal sealed partial class LiveKitAvatarMediaSession : IAvatarMediaSession
{
    private readonly AvatarMediaConnectRequest _request;
    private readonly Room _room;
    private readonly ILogger _logger;
    private readonly LiveKitAvatarMediaConnectorOptions _options;
    // Streams (not frames) in subscription order: the reader takes the next when the current one ends.
    private readonly Channel<VideoStream> _videoStreams = Channel.CreateUnbounded<VideoStream>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<AudioStream> _audioStreams = Channel.CreateUnbounded<AudioStream>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private (string TrackSid, VideoStream Stream)? _videoStream;
    private (string TrackSid, AudioStream Stream)? _audioStream;
    private long _firstVideoTimestamp = long.MinValue;
    private long _audioSamples;
    private volatile bool _avatarPresent;
    private int _disposed;

    public LiveKitAvatarMediaSession(AvatarMediaConnectRequest request, LiveKitAvatarMediaConnectorOptions options, ILoggerFactory loggerFactory)
    {
        _request = request;
        _logger = loggerFactory.CreateLogger<LiveKitAvatarMediaConnector>();
        _options = options;
        _room = new Room(loggerFactory);
        _room.ParticipantConnected += OnParticipantConnected;
        _room.ParticipantDisconnected += OnParticipantDisconnected;
        _room.TrackSubscribed += OnTrackSubscribed;
        _room.TrackUnsubscribed += OnTrackUnsubscribed;
        _room.Disconnected += (_, _) => Complete();
        JoinRetries = options.JoinRetries;
    }

    public event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined;

    public event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft;

    public bool AvatarPresent => _avatarPresent;

    private int JoinRetries { get; }

    /// <summary>The room underneath (tests inspect it).</summary>
    internal Room Room => _room;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _room.ConnectAsync(
            _request.Url,
            _request.Token,
            new RoomConnectOptions { ConnectTimeout = _request.ConnectTimeout, JoinRetries = JoinRetries },
            cancellationToken).ConfigureAwait(false);
        if (_room.GetParticipant(_request.AvatarIdentity) is not null)
        {
            _avatarPresent = true;
        }
    }

    public async IAsyncEnumerable<RemoteVideoBuffer> ReadVideoAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (VideoStream stream in _videoStreams.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (VideoFrame frame in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return ToAvatarFrame(frame);
            }
        }
    }

    public async IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (AudioStream stream in _audioStreams.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (AudioFrame frame in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var timestamp = TimeSpan.FromTicks(_audioSamples * TimeSpan.TicksPerSecond / frame.SampleRate);
                _audioSamples += frame.SamplesPerChannel;
                yield return new RemoteAudioBuffer(frame.Data, frame.SampleRate, frame.Channels, timestamp, owner: frame);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        lock (_gate)
        {
            _videoStream?.Stream.Dispose();
            _audioStream?.Stream.Dispose();
            _videoStream = null;
            _audioStream = null;
        }

        Complete();
        while (_videoStreams.Reader.TryRead(out VideoStream? video))
        {
            video.Dispose();
        }

        while (_audioStreams.Reader.TryRead(out AudioStream? audio))
        {
            audio.Dispose();
        }

        await _room.DisposeAsync().ConfigureAwait(false);
    }

    private bool IsAvatar(string identity) => string.Equals(identity, _request.AvatarIdentity, StringComparison.Ordinal);

    private void Complete()
    {
        _videoStreams.Writer.TryComplete();
        _audioStreams.Writer.TryComplete();
    }

    private void OnParticipantConnected(object? sender, ParticipantConnectedEventArgs e)
    {
        bool isAvatar = IsAvatar(e.Participant.Identity);
        if (isAvatar)
        {
            _avatarPresent = true;
        }

        ParticipantJoined?.Invoke(this, new AvatarParticipantEventArgs(e.Participant.Identity, isAvatar));
    }

    private void OnParticipantDisconnected(object? sender, ParticipantDisconnectedEventArgs e)
    {
        bool isAvatar = IsAvatar(e.Identity);
        if (isAvatar)
        {
            _avatarPresent = false;
        }

        ParticipantLeft?.Invoke(this, new AvatarParticipantEventArgs(e.Identity, isAvatar));
    }

    private void OnTrackSubscribed(object? sender, TrackSubscribedEventArgs e)
    {
        if (!IsAvatar(e.Track.ParticipantIdentity))
        {
            LogIgnoredTrack(e.Track.Sid, e.Track.ParticipantIdentity);
            return;
        }

        lock (_gate)
        {
            if (_disposed == 1)
            {
                return;
            }

            if (e.Track.Kind == TrackKind.Video)
            {
                _videoStream?.Stream.Dispose(); // ends its read: the reader moves on to the new stream
                var stream = VideoStream.Create(e.Track, new VideoStreamOptions { Format = _request.VideoFormat, Capacity = _options.VideoBufferFrames });
                _videoStream = (e.Track.Sid, stream);
                if (!_videoStreams.Writer.TryWrite(stream))
                {
                    stream.Dispose();
                }
            }
            else if (e.Track.Kind == TrackKind.Audio)
            {
                _audioStream?.Stream.Dispose();
                var stream = AudioStream.Create(e.Track, new AudioStreamOptions
                {
                    SampleRate = _request.AudioSampleRate,
                    Channels = _request.AudioChannels,
                    Capacity = _options.AudioBufferFrames,
                });
                _audioStream = (e.Track.Sid, stream);
                if (!_audioStreams.Writer.TryWrite(stream))
                {
                    stream.Dispose();
                }
            }
        }

        LogAvatarTrack(e.Track.Kind.ToString(), e.Track.Sid);
    }

    private void OnTrackUnsubscribed(object? sender, TrackUnsubscribedEventArgs e)
    {
        lock (_gate)
        {
            if (_videoStream is { } video && video.TrackSid == e.TrackSid)
            {
                video.Stream.Dispose();
                _videoStream = null;
            }

            if (_audioStream is { } audio && audio.TrackSid == e.TrackSid)
            {
                audio.Stream.Dispose();
                _audioStream = null;
            }
        }
    }

    /// <summary>
    /// Copies the native frame once, tightly packed, into a pooled managed buffer (<see cref="AvatarMediaConnectRequest.FramePool"/>)
    /// and releases the native frame at once: the engine's decoder buffers are never held while a frame waits in the
    /// pipeline's queues, and the pooled buffer travels on into the pipeline frame without another copy or allocation.
    /// An I420 stream stays I420 (the engine converts only when the request asks for RGB).
    /// </summary>
    private RemoteVideoBuffer ToAvatarFrame(VideoFrame frame)
    {
        using (frame)
        {
            if (_firstVideoTimestamp == long.MinValue)
            {
                _firstVideoTimestamp = frame.TimestampMicroseconds;
            }

            var timestamp = TimeSpan.FromMicroseconds(frame.TimestampMicroseconds - _firstVideoTimestamp);
            FrameBuffer pixels = _request.FramePool.Rent(frame.PackedLength);
            try
            {
                frame.CopyTo(pixels.Span);
                return new RemoteVideoBuffer(pixels, frame.Width, frame.Height, frame.Format, timestamp);
            }
            catch
            {
                pixels.Release();
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring track {TrackSid} of {Identity}: not the avatar")]
    private partial void LogIgnoredTrack(string trackSid, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving the avatar's {Kind} track {TrackSid}")]
    private partial void LogAvatarTrack(string kind, string trackSid);
}
