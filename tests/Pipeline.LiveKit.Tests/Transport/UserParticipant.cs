using System.Threading.Channels;
using Pipeline.Core.Frames;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>
/// The person in the room, for transport tests: a second <see cref="Room"/> in this process that publishes a
/// microphone (speech from a WAV, captured at real time by its audio source) and watches the bot's tracks.
/// </summary>
internal sealed class UserParticipant : IAsyncDisposable
{
    private readonly AudioSource _source;
    private readonly LocalAudioTrack _track;
    private readonly Channel<VideoStream> _video = Channel.CreateUnbounded<VideoStream>();
    private readonly Channel<AudioStream> _audio = Channel.CreateUnbounded<AudioStream>();
    private readonly List<IDisposable> _streams = [];

    private UserParticipant(Room room, int sampleRate)
    {
        Room = room;
        _source = new AudioSource(sampleRate, 1, queueMilliseconds: 100);
        _track = LocalAudioTrack.Create("microphone", _source);
        room.TrackSubscribed += (_, e) =>
        {
            lock (_streams)
            {
                if (e.Track.Kind == TrackKind.Video)
                {
                    var stream = VideoStream.Create(e.Track, new VideoStreamOptions { Format = PixelFormat.Rgb24 });
                    _streams.Add(stream);
                    _video.Writer.TryWrite(stream);
                }
                else
                {
                    var stream = AudioStream.Create(e.Track, new AudioStreamOptions { SampleRate = 16_000, Channels = 1 });
                    _streams.Add(stream);
                    _audio.Writer.TryWrite(stream);
                }
            }
        };
    }

    public Room Room { get; }

    /// <summary>Joins as "user" and publishes the microphone.</summary>
    public static async Task<UserParticipant> JoinAsync(Uri url, int sampleRate, CancellationToken cancellationToken)
    {
        var user = new UserParticipant(new Room(TestLogging.Factory), sampleRate);
        await user.Room.ConnectAsync(url, "identity:user", new RoomConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(20) }, cancellationToken);
        await user.Room.PublishTrackAsync(user._track, cancellationToken: cancellationToken);
        return user;
    }

    /// <summary>The bot's video track, once subscribed.</summary>
    public ValueTask<VideoStream> BotVideoAsync(CancellationToken cancellationToken) => _video.Reader.ReadAsync(cancellationToken);

    /// <summary>The bot's audio track (16 kHz mono), once subscribed.</summary>
    public ValueTask<AudioStream> BotAudioAsync(CancellationToken cancellationToken) => _audio.Reader.ReadAsync(cancellationToken);

    /// <summary>Says the PCM into the microphone, 20 ms at a time, at real time (the source's queue paces it).</summary>
    public async Task SpeakAsync(byte[] pcm, CancellationToken cancellationToken)
    {
        int block = _source.SampleRate / 50 * 2;
        for (int offset = 0; offset < pcm.Length; offset += block)
        {
            await _source.CaptureAsync(pcm.AsMemory(offset, Math.Min(block, pcm.Length - offset)), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Room.DisposeAsync();
        lock (_streams)
        {
            _streams.ForEach(s => s.Dispose());
        }

        _track.Dispose();
        _source.Dispose();
    }
}
