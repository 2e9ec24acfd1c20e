using System.Buffers.Binary;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Byte streams over real WebRTC, as LiveKit's avatar protocol uses them: alice streams PCM to bob on
/// <c>lk.audio_stream</c> with its format in the attributes; the loopback SFU relays the header, chunk and trailer
/// packets between the two engines.
/// </summary>
public sealed class ByteStreamTests
{
    private const string AudioTopic = "lk.audio_stream";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Streamed_pcm_arrives_byte_equal_with_its_topic_attributes_and_sender()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        byte[] pcm = Tone(100 * 1024);
        byte[] small = [1, 2, 3, 4, 5];
        var received = new TaskCompletionSource<(ByteStreamReader Reader, byte[] Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = new TaskCompletionSource<(ByteStreamReader Reader, byte[] Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var alice = new Room(TestLogging.Factory);
            await using var bob = new Room(TestLogging.Factory);
            bob.RegisterByteStreamHandler(AudioTopic, async reader => received.TrySetResult((reader, await reader.ReadAllAsync(timeout.Token))));
            bob.RegisterByteStreamHandler("other", async reader => other.TrySetResult((reader, await reader.ReadAllAsync(timeout.Token))));
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);

            // A stream on a topic bob does not handle is dropped on his side without disturbing the next ones.
            await alice.LocalParticipant!.SendBytesAsync(small, new ByteStreamOptions { Topic = "nobody-listens" }, timeout.Token);
            ByteStreamInfo sent;
            await using (ByteStreamWriter writer = await alice.LocalParticipant.StreamBytesAsync(
                new ByteStreamOptions
                {
                    Topic = AudioTopic,
                    Attributes = new Dictionary<string, string> { ["sample_rate"] = "24000", ["num_channels"] = "1" },
                    DestinationIdentities = ["bob"],
                },
                timeout.Token))
            {
                sent = writer.Info;
                for (int offset = 0; offset < pcm.Length; offset += 4800)
                {
                    await writer.WriteAsync(pcm.AsMemory(offset, Math.Min(4800, pcm.Length - offset)), timeout.Token);
                }

                await writer.CloseAsync(cancellationToken: timeout.Token);
            }

            ByteStreamInfo whole = await alice.LocalParticipant.SendBytesAsync(small, new ByteStreamOptions { Topic = "other" }, timeout.Token);

            (ByteStreamReader reader, byte[] bytes) = await received.Task.WaitAsync(timeout.Token);
            bytes.Should().Equal(pcm);
            reader.SenderIdentity.Should().Be("alice");
            reader.Info.Topic.Should().Be(AudioTopic);
            reader.Info.StreamId.Should().Be(sent.StreamId);
            reader.Info.Attributes.Should().Contain("sample_rate", "24000").And.Contain("num_channels", "1");
            (ByteStreamReader otherReader, byte[] otherBytes) = await other.Task.WaitAsync(timeout.Token);
            otherBytes.Should().Equal(small);
            otherReader.Info.StreamId.Should().Be(whole.StreamId);
            otherReader.Info.TotalLength.Should().Be(small.Length, "SendBytesAsync announces the length");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "writers, readers and rooms release their handles");
    }

    [Fact]
    public async Task A_stream_disposed_mid_way_or_left_by_its_reader_leaves_no_handles()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        var interrupted = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstChunk = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var alice = new Room(TestLogging.Factory);
            await using var bob = new Room(TestLogging.Factory);
            bob.RegisterByteStreamHandler("cut", async reader =>
            {
                try
                {
                    await reader.ReadAllAsync(timeout.Token);
                    interrupted.TrySetResult(null);
                }
                catch (Exception e) when (e is LiveKitException or ObjectDisposedException)
                {
                    interrupted.TrySetResult(e);
                }
            });
            bob.RegisterByteStreamHandler("left", async reader =>
            {
                // Reads one chunk and returns: the reader is released while the sender is still writing.
                await foreach (ReadOnlyMemory<byte> chunk in reader.ReadChunksAsync(timeout.Token))
                {
                    firstChunk.TrySetResult(chunk.Length);
                    return;
                }
            });
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);
            byte[] pcm = Tone(20 * 1024);

            ByteStreamWriter cut = await alice.LocalParticipant!.StreamBytesAsync(new ByteStreamOptions { Topic = "cut" }, timeout.Token);
            await cut.WriteAsync(pcm, timeout.Token);
            await cut.DisposeAsync(); // never closed: disposing closes it as interrupted
            await cut.Awaiting(w => w.WriteAsync(pcm)).Should().ThrowAsync<ObjectDisposedException>();

            Exception? seen = await interrupted.Task.WaitAsync(timeout.Token);
            seen.Should().BeOfType<LiveKitException>("the receiver learns the stream was cut short")
                .Which.Message.Should().Contain("interrupted");

            await using (ByteStreamWriter left = await alice.LocalParticipant.StreamBytesAsync(new ByteStreamOptions { Topic = "left" }, timeout.Token))
            {
                await left.WriteAsync(pcm, timeout.Token);
                (await firstChunk.Task.WaitAsync(timeout.Token)).Should().BePositive();
                for (int i = 0; i < 5; i++)
                {
                    await left.WriteAsync(pcm, timeout.Token);
                }

                await left.CloseAsync(cancellationToken: timeout.Token);
            }
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    /// <summary>A 440 Hz tone as 16-bit little-endian PCM at 24 kHz.</summary>
    private static byte[] Tone(int bytes)
    {
        var pcm = new byte[bytes];
        for (int i = 0; i < bytes / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 24_000)));
        }

        return pcm;
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
