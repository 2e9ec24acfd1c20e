namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>A safety net on waits for real network events, so a broken test fails instead of hanging. Never a sleep.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
}
