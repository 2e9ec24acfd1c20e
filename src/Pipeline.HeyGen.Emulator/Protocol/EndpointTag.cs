namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>Routing metadata naming the <see cref="EmulatorEndpoint"/> a route serves, read by the request pipeline
/// to record the request and apply faults before the handler runs.</summary>
internal sealed record EndpointTag(EmulatorEndpoint Endpoint)
{
    public bool IsLiveAvatar => Endpoint is EmulatorEndpoint.LiveAvatarToken or EmulatorEndpoint.LiveAvatarStart
        or EmulatorEndpoint.LiveAvatarStop or EmulatorEndpoint.LiveAvatarKeepAlive or EmulatorEndpoint.LiveAvatarRealtime;
}
