namespace Pipeline.HeyGen.Api;

/// <summary>Records in a service collection which avatar provider API was registered (one per provider type), so a
/// consumer of <see cref="BaseAvatarApi"/> can detect an ambiguous container without building a client, and can build
/// one per pipeline that the container does not track (<see cref="Create"/>).</summary>
/// <param name="ApiType">The registered provider's concrete type.</param>
/// <param name="Create">Builds a client of that type on a fresh <see cref="HttpClient"/> from IHttpClientFactory (its
/// handlers are the ones configured on the registration's <c>IHttpClientBuilder</c>).</param>
internal sealed record AvatarApiRegistration(Type ApiType, Func<IServiceProvider, BaseAvatarApi> Create);
