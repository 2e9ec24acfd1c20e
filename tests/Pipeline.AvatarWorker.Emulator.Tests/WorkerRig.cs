using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// What an agent has around its avatar worker, built from the raw LiveKit API: the loopback SFU, the emulator, and the
/// agent's own room ("agent") that dispatches workers over HTTP, streams speech to them and records the playback RPCs
/// they send. Everyone joins with a LiveKit access token signed with the SFU's API secret, the worker with the very
/// token the agent minted for it (kind agent, publishing on behalf of the agent).
/// </summary>
internal sealed class WorkerRig : IAsyncDisposable
{
    public const string AgentIdentity = "agent";

    private readonly HttpClient _http;

    private WorkerRig(LoopbackSfu sfu, AvatarWorkerEmulator emulator, Room agent)
    {
        Sfu = sfu;
        Emulator = emulator;
        Agent = agent;
        _http = new HttpClient { BaseAddress = emulator.BaseAddress };
        _http.DefaultRequestHeaders.Add("x-api-key", emulator.ApiKey);
    }

    public static RoomConnectOptions ConnectOptions => new() { ConnectTimeout = TimeSpan.FromSeconds(30) };

    public LoopbackSfu Sfu { get; }

    public AvatarWorkerEmulator Emulator { get; }

    public Room Agent { get; }

    /// <summary><c>lk.playback_started</c> calls the agent received (caller, payload).</summary>
    public Channel<RpcInvocation> Started { get; } = Channel.CreateUnbounded<RpcInvocation>();

    /// <summary><c>lk.playback_finished</c> calls the agent received.</summary>
    public Channel<RpcInvocation> Finished { get; } = Channel.CreateUnbounded<RpcInvocation>();

    public static async Task<WorkerRig> StartAsync(CancellationToken cancellationToken, int width = 480, int height = 270)
    {
        LoopbackSfu sfu = await LoopbackSfu.StartAsync(
            "--no-avatar", "--room", WorkerTokens.Room, "--api-key", WorkerTokens.ApiKey, "--api-secret", WorkerTokens.Secret);
        AvatarWorkerEmulator? emulator = null;
        Room? agent = null;
        try
        {
            emulator = await AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions
            {
                Avatar = new EmulatedAvatarOptions { Width = width, Height = height, FrameRate = 15 },
                RoomConnectOptions = ConnectOptions,
                LoggerFactory = TestLogging.Factory,
            }, cancellationToken);
            agent = new Room(TestLogging.Factory);
            await agent.ConnectAsync(sfu.Url, WorkerTokens.Participant(AgentIdentity, kind: "agent"), ConnectOptions, cancellationToken);
            var rig = new WorkerRig(sfu, emulator, agent);
            agent.LocalParticipant!.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackStartedMethod, invocation =>
            {
                rig.Started.Writer.TryWrite(invocation);
                return Task.FromResult("");
            });
            agent.LocalParticipant.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod, invocation =>
            {
                rig.Finished.Writer.TryWrite(invocation);
                return Task.FromResult("");
            });
            return rig;
        }
        catch
        {
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }

            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }

            await sfu.DisposeAsync();
            throw;
        }
    }

    /// <summary>Asks the emulator for a worker named <paramref name="worker"/>, as a Beyond Presence dispatcher would.</summary>
    public async Task<WorkerSessionRecord> DispatchAsync(string worker, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.PostAsJsonAsync("v1/session", SessionApiTests.Body("avatar-1", Sfu.Url.ToString(), WorkerTokens.Mint(worker, AgentIdentity)), cancellationToken);
        response.EnsureSuccessStatusCode();
        string id = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["id"]!.GetValue<string>();
        return Emulator.Ledger.Find(id)!;
    }

    /// <summary>Opens a speech stream to the worker (PCM16 format in its attributes, as the protocol says).</summary>
    public Task<ByteStreamWriter> OpenSpeechAsync(string worker, int sampleRate, int channels, CancellationToken cancellationToken, bool withFormat = true) =>
        Agent.LocalParticipant!.StreamBytesAsync(new ByteStreamOptions
        {
            Topic = AvatarWorkerProtocol.AudioStreamTopic,
            Attributes = withFormat ? AvatarWorkerProtocol.AudioStreamAttributes(sampleRate, channels) : null,
            DestinationIdentities = [worker],
        }, cancellationToken);

    /// <summary>Streams a whole utterance in 100 ms chunks and closes the stream; returns its id.</summary>
    public async Task<string> SpeakAsync(string worker, byte[] pcm, int sampleRate, int channels, CancellationToken cancellationToken)
    {
        await using ByteStreamWriter writer = await OpenSpeechAsync(worker, sampleRate, channels, cancellationToken);
        await WriteChunksAsync(writer, pcm, sampleRate * channels * 2 / 10, cancellationToken);
        await writer.CloseAsync(cancellationToken: cancellationToken);
        return writer.Info.StreamId;
    }

    public static async Task WriteChunksAsync(ByteStreamWriter writer, byte[] pcm, int chunkBytes, CancellationToken cancellationToken)
    {
        for (int offset = 0; offset < pcm.Length; offset += chunkBytes)
        {
            await writer.WriteAsync(pcm.AsMemory(offset, Math.Min(chunkBytes, pcm.Length - offset)), cancellationToken);
        }
    }

    /// <summary>A 440 Hz tone, 16-bit little-endian PCM, the same in every channel.</summary>
    public static byte[] Tone(TimeSpan duration, int sampleRate, int channels = 1, double amplitude = 0.5)
    {
        int frames = (int)(duration.Ticks * sampleRate / TimeSpan.TicksPerSecond);
        var pcm = new byte[frames * channels * 2];
        for (int i = 0; i < frames; i++)
        {
            short sample = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * 440 * i / sampleRate));
            for (int c = 0; c < channels; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(((i * channels) + c) * 2), sample);
            }
        }

        return pcm;
    }

    public static (double Position, bool Interrupted) ParseFinished(RpcInvocation invocation)
    {
        AvatarWorkerProtocol.TryParsePlaybackFinished(invocation.Payload, out double position, out bool interrupted).Should().BeTrue(invocation.Payload);
        return (position, interrupted);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Emulator.DisposeAsync();
        await Agent.DisposeAsync();
        await Sfu.DisposeAsync();
    }
}
