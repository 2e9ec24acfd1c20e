namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>The providers of the behaviour suite, by name (theory data stays serializable).</summary>
internal static class Provider
{
    public const string HeyGen = "heygen";
    public const string Worker = "worker";

    public static Task<ProviderDriver> StartAsync(string provider) => provider switch
    {
        HeyGen => HeyGenDriver.StartAsync(),
        Worker => WorkerDriver.StartAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "heygen or worker"),
    };
}
