using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Video;
using Pipeline.LiveKit;

namespace HeyGenAvatarBot;

/// <summary>
/// Where the avatar runs: the in-process HeyGen emulator (no key; real HTTP and websockets on 127.0.0.1) or HeyGen
/// itself (LiveAvatar or the Interactive Avatar API) with its LiveKit room. Owns the emulator and the REST client.
/// </summary>
internal sealed class AvatarConnection : IAsyncDisposable
{
    private AvatarConnection(HeyGenEmulator? emulator, BaseAvatarApi api, IAvatarMediaConnector connector, AvatarSessionRequest request, string description)
    {
        Emulator = emulator;
        Api = api;
        Connector = connector;
        SessionRequest = request;
        Description = description;
    }

    public HeyGenEmulator? Emulator { get; }

    public BaseAvatarApi Api { get; }

    public IAvatarMediaConnector Connector { get; }

    public AvatarSessionRequest SessionRequest { get; }

    /// <summary>One line for the console (no secrets).</summary>
    public string Description { get; }

    public static async Task<AvatarConnection> OpenAsync(BotOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        bool liveAvatar = options.Avatar.LiveAvatar;
        string product = liveAvatar ? "LiveAvatar" : "Interactive Avatar";
        if (options.Avatar.ApiKey is { } key)
        {
            BaseAvatarApi real = liveAvatar
                ? new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = key }, loggerFactory)
                : new HeyGenApi(new HeyGenApiOptions { ApiKey = key }, loggerFactory);
            return new AvatarConnection(null, real, new LiveKitAvatarMediaConnector(loggerFactory), Request(options, emulated: false),
                $"HeyGen {product} API (billed), media through its LiveKit room");
        }

        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            LoggerFactory = loggerFactory,
            Avatar = new EmulatedAvatarOptions { Width = options.Width, Height = options.Height, FrameRate = options.FrameRate },
        }, cancellationToken);
        BaseAvatarApi api = liveAvatar
            ? new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl }, loggerFactory)
            : new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl }, loggerFactory);
        return new AvatarConnection(emulator, api, emulator.MediaConnector, Request(options, emulated: true),
            $"HeyGen emulator at {emulator.BaseAddress} ({product} API, offline, {options.Width}x{options.Height} at {options.FrameRate:G} fps)");
    }

    /// <summary>Sessions opened so far (the emulator counts them; against HeyGen, the service's one session).</summary>
    public int SessionsOpened(HeyGenVideoService avatar) => Emulator?.Sessions.OpenedCount ?? (avatar.SessionId is null ? 0 : 1);

    /// <summary>Sessions still open (against HeyGen: none once the pipeline has ended, which closes its session).</summary>
    public int SessionsOpen(bool pipelineEnded) => Emulator?.Sessions.Open.Count ?? (pipelineEnded ? 0 : 1);

    private static AvatarSessionRequest Request(BotOptions options, bool emulated) =>
        options.Avatar.LiveAvatar
            ? new LiveAvatarNewSessionRequest
            {
                AvatarId = options.AvatarId ?? LiveAvatarNewSessionRequest.SandboxAvatarId,
                IsSandbox = !emulated && options.AvatarId is null,
            }
            : new NewSessionRequest { AvatarId = options.AvatarId, Quality = AvatarQuality.Medium };

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
