using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>A media connector that cannot work (no native engine) fails the start before any money is spent.</summary>
public sealed class MediaEngineCheckTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connector_without_its_engine_fails_the_start_before_any_rest_call(bool liveAvatar)
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar, wrapConnector: inner => new EngineMissingConnector(inner));
        h.Start();

        var failure = await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();

        failure.Which.Error.IsFatal.Should().BeTrue();
        failure.Which.Error.Message.Should().Contain("find the media engine").And.Contain("liblivekit_ffi not found");
        h.Emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(0);
        h.Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarToken).Should().Be(0);
        h.Emulator.Requests.All.Should().BeEmpty("no REST call at all: nothing was opened, nothing billed");
    }

    [Fact]
    public async Task The_emulator_connector_passes_the_check_and_the_session_opens()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await h.Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingStart, 1).WaitAsync(AvatarHarness.Hang);
        h.Task.Cancel();
        await h.FinishAsync();
        h.Emulator.Sessions.StoppedCount.Should().Be(1);
    }

    private sealed class EngineMissingConnector(IAvatarMediaConnector inner) : IAvatarMediaConnector
    {
        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken) =>
            inner.ConnectAsync(request, cancellationToken);

        public ValueTask EnsureAvailableAsync(CancellationToken cancellationToken) =>
            throw new AvatarMediaException("liblivekit_ffi not found; run build/prereqs/20-livekit-native.sh");
    }
}
