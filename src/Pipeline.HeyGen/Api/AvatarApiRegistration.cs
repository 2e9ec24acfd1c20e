namespace Pipeline.HeyGen.Api;

/// <summary>Records in a service collection which avatar provider API was registered (one per provider type), so a
/// consumer of <see cref="BaseAvatarApi"/> can detect an ambiguous container without building a client.</summary>
/// <param name="ApiType">The registered provider's concrete type.</param>
internal sealed record AvatarApiRegistration(Type ApiType);
