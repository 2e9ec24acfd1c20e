using Pipeline.Silero;

namespace Pipeline.Speech.Tests.Support;

/// <summary>The Silero model, loaded once for a test class (build/prereqs/30-silero-vad.sh installs it).</summary>
public sealed class SileroModelFixture : IDisposable
{
    public SileroModelFixture() => Model = SileroVadModel.Load();

    internal SileroVadModel Model { get; }

    public void Dispose() => Model.Dispose();
}
