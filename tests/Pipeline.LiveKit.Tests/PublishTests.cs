using System.Text;
using System.Threading.Channels;
using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Publishing over real WebRTC: one room (alice) publishes through the loopback SFU, which relays her tracks and
/// data to a second room (bob) in this process. Both are the engine's own clients; only the server is a stand-in.
/// </summary>
public sealed class PublishTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Published_colour_bars_and_tone_reach_another_participant_intact_and_unpublishing_is_seen()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        var subscribed = Channel.CreateUnbounded<TrackSubscribedEventArgs>();
        var unpublished = new TaskCompletionSource<TrackUnpublishedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        VideoStream? video = null;
        AudioStream? audio = null;
        var alice = new Room(TestLogging.Factory);
        var bob = new Room(TestLogging.Factory);
        bob.TrackSubscribed += (_, e) =>
        {
            if (e.Track.Kind == TrackKind.Video)
            {
                video = VideoStream.Create(e.Track, new VideoStreamOptions { Format = PixelFormat.Rgb24 });
            }
            else
            {
                audio = AudioStream.Create(e.Track, new AudioStreamOptions { SampleRate = 16_000, Channels = 1 });
            }

            subscribed.Writer.TryWrite(e);
        };
        bob.TrackUnpublished += (_, e) => unpublished.TrySetResult(e);
        try
        {
            await using var media = new LocalMediaPublisher();
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);

            LocalTrackPublication camera = await alice.PublishTrackAsync(
                media.Video, new TrackPublishOptions { VideoEncoding = new VideoEncodingOptions(800_000, 30) }, timeout.Token);
            LocalTrackPublication microphone = await alice.PublishTrackAsync(media.Audio, cancellationToken: timeout.Token);

            camera.Sid.Should().StartWith("TR_");
            camera.Kind.Should().Be(TrackKind.Video);
            camera.Source.Should().Be(TrackSource.Camera, "a video track is published as a camera by default");
            microphone.Source.Should().Be(TrackSource.Microphone);
            alice.LocalParticipant!.Identity.Should().Be("alice");
            alice.LocalParticipant.TrackPublications.Should().BeEquivalentTo([camera, microphone]);

            TrackSubscribedEventArgs first = await subscribed.Reader.ReadAsync(timeout.Token);
            TrackSubscribedEventArgs second = await subscribed.Reader.ReadAsync(timeout.Token);
            new[] { first.Track.Sid, second.Track.Sid }.Should().BeEquivalentTo([camera.Sid, microphone.Sid]);
            first.Track.ParticipantIdentity.Should().Be("alice");
            bob.GetParticipant("alice")!.Publications.Select(p => p.Source).Should().BeEquivalentTo([TrackSource.Camera, TrackSource.Microphone]);

            using (VideoFrame frame = await SfuRoomTests.FirstFrameWithBarsAsync(video!, timeout.Token))
            {
                frame.Width.Should().Be(LocalMediaPublisher.Width);
                frame.Height.Should().Be(LocalMediaPublisher.Height);
                TestPatterns.AssertBars(frame.PackedData.Span, frame.Width, frame.Height, 3, tolerance: 24);
            }

            List<short[]> tone = await SfuRoomTests.ReadToneAsync(audio!, 16_000, timeout.Token);
            TestPatterns.MeasureFrequency(tone, 16_000).Should().BeApproximately(440, 5);

            await alice.UnpublishTrackAsync(camera, timeout.Token);

            (await unpublished.Task.WaitAsync(timeout.Token)).PublicationSid.Should().Be(camera.Sid);
            alice.LocalParticipant.TrackPublications.Should().BeEquivalentTo([microphone]);
            bob.GetParticipant("alice")!.Publications.Should().ContainSingle().Which.Sid.Should().Be(microphone.Sid);
            await alice.UnpublishTrackAsync(camera, timeout.Token); // a second unpublish does nothing
        }
        finally
        {
            video?.Dispose();
            audio?.Dispose();
            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "rooms release their publications, participants and tracks");
    }

    [Fact]
    public async Task A_data_message_reaches_its_addressee_with_its_topic_and_sender()
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        var received = Channel.CreateUnbounded<DataReceivedEventArgs>();
        await using var alice = new Room(TestLogging.Factory);
        await using var bob = new Room(TestLogging.Factory);
        bob.DataReceived += (_, e) => received.Writer.TryWrite(e);
        await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
        await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);

        // Reliable messages are ordered: if the one addressed to someone else reached bob, it would come first.
        await alice.PublishDataAsync(Encoding.UTF8.GetBytes("for carol"), "chat", destinationIdentities: ["carol"], cancellationToken: timeout.Token);
        await alice.PublishDataAsync(Encoding.UTF8.GetBytes("hello bob"), "chat", destinationIdentities: ["bob"], cancellationToken: timeout.Token);
        await alice.PublishDataAsync(Encoding.UTF8.GetBytes("to all"), cancellationToken: timeout.Token);

        DataReceivedEventArgs hello = await received.Reader.ReadAsync(timeout.Token);
        Encoding.UTF8.GetString(hello.Data.Span).Should().Be("hello bob");
        hello.Topic.Should().Be("chat");
        hello.ParticipantIdentity.Should().Be("alice");
        hello.Reliable.Should().BeTrue();
        DataReceivedEventArgs broadcast = await received.Reader.ReadAsync(timeout.Token);
        Encoding.UTF8.GetString(broadcast.Data.Span).Should().Be("to all");
        broadcast.Topic.Should().BeNull();
    }

    [Fact]
    public async Task Publishing_on_a_room_that_is_not_connected_or_is_disposed_fails_with_a_clear_error()
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        using var source = new VideoSource(64, 64);
        using var track = LocalVideoTrack.Create("camera", source);
        var room = new Room(TestLogging.Factory);

        Func<Task> early = () => room.PublishTrackAsync(track);
        (await early.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*not connected*ConnectAsync*");

        await room.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
        LocalTrackPublication publication = await room.PublishTrackAsync(track, cancellationToken: timeout.Token);
        await room.DisposeAsync();

        Func<Task> late = () => room.PublishTrackAsync(track);
        await late.Should().ThrowAsync<ObjectDisposedException>();
        Func<Task> data = () => room.PublishDataAsync(new byte[] { 1 });
        await data.Should().ThrowAsync<ObjectDisposedException>();
        Func<Task> unpublish = () => room.UnpublishTrackAsync(publication);
        await unpublish.Should().NotThrowAsync("the room's publications ended with it");
        Func<Task> wrongKind = () => new Room().PublishTrackAsync(track, new TrackPublishOptions { Source = TrackSource.Microphone });
        (await wrongKind.Should().ThrowAsync<ArgumentException>()).WithMessage("*video track cannot be published as Microphone*");
    }

    [Fact]
    public async Task A_publish_abandoned_by_its_caller_is_taken_down_again_and_the_room_disposes_cleanly()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        var room = new Room(TestLogging.Factory);
        using var abandon = new CancellationTokenSource();
        var takenDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FfiClient client = FfiClient.Instance;
        using (var source = new VideoSource(64, 64))
        using (var track = LocalVideoTrack.Create("camera", source))
        {
            await room.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            client.EventObserver = e =>
            {
                // The engine has published the track and its callback is on the way: the caller gives up right now.
                if (e.MessageCase == FfiEvent.MessageOneofCase.PublishTrack)
                {
                    abandon.Cancel();
                }
                else if (e.MessageCase == FfiEvent.MessageOneofCase.UnpublishTrack)
                {
                    takenDown.TrySetResult();
                }
            };
            try
            {
                Func<Task> publish = () => room.PublishTrackAsync(track, cancellationToken: abandon.Token);
                await publish.Should().ThrowAsync<OperationCanceledException>();
                await takenDown.Task.WaitAsync(timeout.Token);
                room.LocalParticipant!.TrackPublications.Should().BeEmpty();
            }
            finally
            {
                client.EventObserver = null;
                await room.DisposeAsync();
            }
        }

        await room.Completion.WaitAsync(timeout.Token);
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "the abandoned publication's handle was released when its callback came");
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
