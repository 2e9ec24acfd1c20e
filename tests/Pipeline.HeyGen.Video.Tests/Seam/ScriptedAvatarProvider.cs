using System.Collections.Concurrent;
using System.Threading.Channels;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Video.Tests.Seam;

/// <summary>
/// A second avatar provider, written only against the Core seam (<see cref="IAvatarSessionFactory"/>): it "speaks"
/// each ended utterance in real time on the pipeline's clock, renders one video frame per 40 ms while it speaks, and
/// records everything it was asked to do. If <see cref="AvatarVideoService"/> knew HeyGen, this could not drive it.
/// </summary>
internal sealed class ScriptedAvatarProvider : IAvatarSessionFactory
{
    public const int Rate = 16_000;

    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, byte[]> Audio { get; } = new();

    public int Opened;

    public int Closed;

    public ValueTask<IAvatarSession> OpenAsync(AvatarSessionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Opened);
        return ValueTask.FromResult<IAvatarSession>(new Session(this, context.TimeProvider));
    }

    private sealed class Session(ScriptedAvatarProvider provider, TimeProvider clock) : IAvatarSession
    {
        private readonly Channel<AvatarEvent> _events = Channel.CreateUnbounded<AvatarEvent>();
        private readonly Channel<Frame> _video = Channel.CreateUnbounded<Frame>();
        private readonly ConcurrentDictionary<Utterance, byte> _live = new();
        private Task<IReadOnlyList<AvatarError>>? _closed;

        public ScriptedAvatarProvider Provider => provider;

        public string Id => "scripted-1";

        public int SpeechSampleRate => Rate;

        public bool SupportsListening => true;

        public IReadOnlyList<IAsyncEnumerable<Frame>> Media => [_video.Reader.ReadAllAsync()];

        public IAvatarUtterance BeginUtterance(string id)
        {
            provider.Calls.Enqueue($"begin {id}");
            var utterance = new Utterance(this, id);
            _live[utterance] = 0;
            return utterance;
        }

        public ValueTask InterruptAsync(CancellationToken cancellationToken)
        {
            provider.Calls.Enqueue("interrupt");
            foreach (Utterance utterance in _live.Keys)
            {
                utterance.Done();
            }

            return default;
        }

        public ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken)
        {
            provider.Calls.Enqueue(listening ? "listen" : "idle");
            return default;
        }

        public IAsyncEnumerable<AvatarEvent> ReadEventsAsync(CancellationToken cancellationToken) => _events.Reader.ReadAllAsync(cancellationToken);

        public Task<IReadOnlyList<AvatarError>> CloseAsync(string reason)
        {
            lock (_events)
            {
                return _closed ??= CloseOnceAsync();
            }
        }

        public async ValueTask DisposeAsync() => await CloseAsync("disposed");

        private Task<IReadOnlyList<AvatarError>> CloseOnceAsync()
        {
            Interlocked.Increment(ref provider.Closed);
            _events.Writer.TryComplete();
            _video.Writer.TryComplete();
            return Task.FromResult<IReadOnlyList<AvatarError>>([]);
        }

        // Plays an ended utterance in real time: started, one frame per 40 ms, stopped, done.
        private async Task PlayAsync(Utterance utterance, TimeSpan duration)
        {
            _events.Writer.TryWrite(new AvatarStartedSpeaking());
            for (TimeSpan t = TimeSpan.Zero; t < duration && !utterance.Completion.IsCompleted; t += TimeSpan.FromMilliseconds(40))
            {
                _video.Writer.TryWrite(new OutputImageRawFrame(new byte[12], 2, 2, PixelFormat.Rgb24) { PresentationTimestamp = t });
                await Task.Delay(TimeSpan.FromMilliseconds(40), clock);
            }

            _events.Writer.TryWrite(new AvatarStoppedSpeaking());
            utterance.Done();
        }

        private sealed class Utterance(Session session, string id) : IAvatarUtterance
        {
            private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly List<byte> _audio = [];

            public string Id => id;

            public bool HasSpeech => _audio.Count > 0;

            public Task Completion => _done.Task;

            public ValueTask AppendAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
            {
                if (!_done.Task.IsCompleted)
                {
                    _audio.AddRange(pcm.Span);
                }

                return default;
            }

            public ValueTask EndAsync(CancellationToken cancellationToken)
            {
                session.Provider.Calls.Enqueue($"end {id}");
                session.Provider.Audio[id] = [.. _audio];
                if (_audio.Count == 0 || _done.Task.IsCompleted)
                {
                    Done();
                }
                else
                {
                    _ = session.PlayAsync(this, TimeSpan.FromSeconds(_audio.Count / 2.0 / Rate));
                }

                return default;
            }

            public void Done()
            {
                _done.TrySetResult();
                session._live.TryRemove(this, out _);
            }
        }
    }
}
