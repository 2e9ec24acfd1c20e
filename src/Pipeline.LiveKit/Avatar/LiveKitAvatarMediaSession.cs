using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;

namespace Pipeline.LiveKit;

/// <summary>
/// The avatar room as an <see cref="IAvatarMediaSession"/>: streams are opened on the avatar participant's tracks
/// as they are subscribed and closed as they go; other participants' tracks are ignored. A stream whose pump fails ends
/// with an <see cref="AvatarMediaException"/> carrying the cause; leaving the room ends both streams normally.
/// </summary>
internal sealed partial class LiveKitAvatarMediaSession : IAvatarMediaSession
{
    private readonly AvatarMediaConnectRequest _request;
    private readonly Room _room;
    private readonly ILogger _logger;
    private readonly Channel<RemoteVideoBuffer> _video;
    private readonly Channel<RemoteAudioBuffer> _audio;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<Task> _pumps = [];
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
        _video = Channel.CreateBounded<RemoteVideoBuffer>(
            new BoundedChannelOptions(options.VideoBufferFrames) { FullMode = BoundedChannelFullMode.DropOldest },
            static dropped => dropped.Dispose());
        _audio = Channel.CreateBounded<RemoteAudioBuffer>(
            new BoundedChannelOptions(options.AudioBufferFrames) { FullMode = BoundedChannelFullMode.DropOldest },
            static dropped => dropped.Dispose());
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
        while (await _video.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_video.Reader.TryRead(out RemoteVideoBuffer? frame))
            {
                yield return frame;
            }
        }
    }

    public async IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _audio.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_audio.Reader.TryRead(out RemoteAudioBuffer? frame))
            {
                yield return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] pumps;
        lock (_gate)
        {
            _videoStream?.Stream.Dispose();
            _audioStream?.Stream.Dispose();
            _videoStream = null;
            _audioStream = null;
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps).ConfigureAwait(false);
        await _room.DisposeAsync().ConfigureAwait(false);
        Complete();
        while (_video.Reader.TryRead(out RemoteVideoBuffer? frame))
        {
            frame.Dispose();
        }

        while (_audio.Reader.TryRead(out RemoteAudioBuffer? block))
        {
            block.Dispose();
        }

        _stop.Dispose();
    }

    private bool IsAvatar(string identity) => string.Equals(identity, _request.AvatarIdentity, StringComparison.Ordinal);

    private void Complete()
    {
        _video.Writer.TryComplete();
        _audio.Writer.TryComplete();
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
                _videoStream?.Stream.Dispose();
                var stream = VideoStream.Create(e.Track, new VideoStreamOptions { Format = _request.VideoFormat });
                _videoStream = (e.Track.Sid, stream);
                _pumps.Add(Task.Run(() => PumpVideoAsync(stream), CancellationToken.None));
            }
            else if (e.Track.Kind == TrackKind.Audio)
            {
                _audioStream?.Stream.Dispose();
                var stream = AudioStream.Create(e.Track, new AudioStreamOptions { SampleRate = _request.AudioSampleRate, Channels = _request.AudioChannels });
                _audioStream = (e.Track.Sid, stream);
                _pumps.Add(Task.Run(() => PumpAudioAsync(stream), CancellationToken.None));
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

    private async Task PumpVideoAsync(VideoStream stream)
    {
        try
        {
            await foreach (VideoFrame frame in stream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                RemoteVideoBuffer delivered = ToAvatarFrame(frame);
                if (!_video.Writer.TryWrite(delivered))
                {
                    delivered.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The reader must hear of it: the stream ends with the error instead of just going quiet.
            LogPumpFailed(e, "video");
            _video.Writer.TryComplete(new AvatarMediaException($"The avatar's video stream failed: {e.Message}", e));
        }
    }

    private async Task PumpAudioAsync(AudioStream stream)
    {
        try
        {
            await foreach (AudioFrame frame in stream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var timestamp = TimeSpan.FromTicks(_audioSamples * TimeSpan.TicksPerSecond / frame.SampleRate);
                _audioSamples += frame.SamplesPerChannel;
                var delivered = new RemoteAudioBuffer(frame.Data, frame.SampleRate, frame.Channels, timestamp, owner: frame);
                if (!_audio.Writer.TryWrite(delivered))
                {
                    delivered.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogPumpFailed(e, "audio");
            _audio.Writer.TryComplete(new AvatarMediaException($"The avatar's audio stream failed: {e.Message}", e));
        }
    }

    /// <summary>
    /// Wraps the native frame without a copy when its rows are unpadded; otherwise packs it once into a pooled
    /// buffer and releases the native frame at once.
    /// </summary>
    private RemoteVideoBuffer ToAvatarFrame(VideoFrame frame)
    {
        if (_firstVideoTimestamp == long.MinValue)
        {
            _firstVideoTimestamp = frame.TimestampMicroseconds;
        }

        var timestamp = TimeSpan.FromMicroseconds(frame.TimestampMicroseconds - _firstVideoTimestamp);
        if (frame.IsPacked)
        {
            return new RemoteVideoBuffer(frame.PackedData, frame.Width, frame.Height, frame.Format, timestamp, owner: frame);
        }

        using (frame)
        {
            var pooled = new PooledBuffer(frame.PackedLength);
            frame.CopyTo(pooled.Array);
            return new RemoteVideoBuffer(pooled.Array.AsMemory(0, frame.PackedLength), frame.Width, frame.Height, frame.Format, timestamp, owner: pooled);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring track {TrackSid} of {Identity}: not the avatar")]
    private partial void LogIgnoredTrack(string trackSid, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving the avatar's {Kind} track {TrackSid}")]
    private partial void LogAvatarTrack(string kind, string trackSid);

    [LoggerMessage(Level = LogLevel.Error, Message = "The avatar's {Kind} stream failed")]
    private partial void LogPumpFailed(Exception error, string kind);

    private sealed class PooledBuffer(int length) : IDisposable
    {
        public byte[] Array { get; private set; } = ArrayPool<byte>.Shared.Rent(length);

        public void Dispose()
        {
            if (Array.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Array);
                Array = [];
            }
        }
    }
}
