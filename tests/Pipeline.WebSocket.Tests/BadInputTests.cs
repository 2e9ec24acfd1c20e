using System.Net.WebSockets;
using Pipeline.Core.Frames;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;

namespace Pipeline.WebSocket.Tests;

/// <summary>A client that breaks the protocol is closed with a status and a reason saying what to send instead.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, WebSocketCloseStatus, string> BadHellos => new()
    {
        { "not json", WebSocketCloseStatus.InvalidPayloadData, "not a known JSON message" },
        { """{"type":"hi"}""", WebSocketCloseStatus.InvalidPayloadData, "\"type\":\"hello\"" },
        { """{"version":1}""", WebSocketCloseStatus.InvalidPayloadData, "\"type\":\"hello\"" },
        { """{"type":"hello","version":2,"audio":{"sampleRate":16000}}""", WebSocketCloseStatus.InvalidMessageType, "send version 1" },
        { """{"type":"hello","version":1}""", WebSocketCloseStatus.InvalidPayloadData, "no audio format" },
        { """{"type":"hello","version":1,"audio":{"sampleRate":4000}}""", WebSocketCloseStatus.InvalidMessageType, "4000 Hz: send 8000 to 48000 Hz mono PCM16" },
        { """{"type":"hello","version":1,"audio":{"sampleRate":16000,"channels":2}}""", WebSocketCloseStatus.InvalidMessageType, "2 channels: send mono" },
    };

    [Theory]
    [MemberData(nameof(BadHellos))]
    public async Task A_bad_hello_is_closed_with_a_reason(string hello, WebSocketCloseStatus status, string reason)
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.ConnectAsync(served.WebSocketUri);

        await client.SendTextAsync(hello);

        Received close = await client.ReceiveCloseAsync();
        close.CloseStatus.Should().Be(status);
        close.CloseReason.Should().Contain(reason);
        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Should().BeEmpty("a client joins only with a valid hello");
    }

    [Fact]
    public async Task Audio_before_the_hello_is_closed_with_the_hello_to_send()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.ConnectAsync(served.WebSocketUri);

        await client.SendAudioAsync(new byte[640], 16_000);

        Received close = await client.ReceiveCloseAsync();
        close.CloseStatus.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
        close.CloseReason.Should().Contain("expected the hello first").And.Contain("\"type\":\"hello\"");
    }

    public static TheoryData<byte[], WebSocketCloseStatus, string> BadAudio => new()
    {
        { TestClient.AudioMessage(new byte[640], 8_000), WebSocketCloseStatus.InvalidMessageType, "audio at 8000 Hz, but the hello declared 16000 Hz" },
        { TestClient.AudioMessage(new byte[641], 16_000), WebSocketCloseStatus.InvalidPayloadData, "641 bytes, an odd number" },
        { TestClient.AudioMessage(new byte[640], 16_000, channels: 2), WebSocketCloseStatus.InvalidMessageType, "2 channels" },
        { TestClient.AudioMessage(new byte[640], 16_000, version: 9), WebSocketCloseStatus.InvalidPayloadData, "version 9" },
        { TestClient.AudioMessage(new byte[640], 16_000, kind: 7), WebSocketCloseStatus.InvalidPayloadData, "unknown binary message kind 7" },
        { TestClient.AudioMessage(new byte[640], 16_000, kind: 2), WebSocketCloseStatus.InvalidMessageType, "audio only" },
        { new byte[5], WebSocketCloseStatus.InvalidPayloadData, "16-byte media header" },
        { TestClient.AudioMessage(new byte[70_000], 16_000), WebSocketCloseStatus.MessageTooBig, "over 65536 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadAudio))]
    public async Task Bad_audio_is_closed_with_a_reason_and_the_pipeline_takes_the_next_client(byte[] message, WebSocketCloseStatus status, string reason)
    {
        await using var served = await ServedPipeline.StartAsync();
        await using (TestClient bad = await TestClient.JoinAsync(served.WebSocketUri))
        {
            await bad.SendBinaryAsync(message);

            Received close = await bad.ReceiveCloseAsync();
            close.CloseStatus.Should().Be(status);
            close.CloseReason.Should().Contain(reason);
        }

        await served.WaitForAsync<WebSocketClientDisconnectedFrame>(f => f.ClosedForError);
        served.Recorder.Downstream.OfType<InputAudioRawFrame>().Should().BeEmpty("nothing of a bad message reaches the pipeline");
        await using TestClient good = await TestClient.JoinAsync(served.WebSocketUri);
        await good.SendAudioAsync(new byte[640], 16_000);
        await served.WaitForAsync<InputAudioRawFrame>();
        served.Harness.Running!.IsCompleted.Should().BeFalse("the pipeline survives a client's garbage");
    }

    [Fact]
    public async Task A_text_message_after_the_hello_is_closed_with_a_reason()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);

        await client.SendHelloAsync(16_000);

        Received close = await client.ReceiveCloseAsync();
        close.CloseStatus.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
        close.CloseReason.Should().Contain("send binary audio messages only");
    }

    [Fact]
    public async Task A_second_client_is_refused_while_one_is_connected()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient first = await TestClient.JoinAsync(served.WebSocketUri);
        await using TestClient second = await TestClient.ConnectAsync(served.WebSocketUri);

        Received close = await second.ReceiveCloseAsync();

        close.CloseStatus.Should().Be(WebSocketCloseStatus.PolicyViolation);
        close.CloseReason.Should().Contain("busy: another client is connected");
        await first.SendAudioAsync(new byte[640], 16_000);
        await served.WaitForAsync<InputAudioRawFrame>();
        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Should().ContainSingle("the first client is untouched");
    }

    [Fact]
    public async Task Garbage_from_a_client_that_never_joined_does_not_end_the_conversation()
    {
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.EndPipeline });
        await using (TestClient bad = await TestClient.ConnectAsync(served.WebSocketUri))
        {
            await bad.SendTextAsync("{{{");
            (await bad.ReceiveCloseAsync()).CloseStatus.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
        }

        await using TestClient good = await TestClient.JoinAsync(served.WebSocketUri);
        await good.SendAudioAsync(new byte[640], 16_000);
        await served.WaitForAsync<InputAudioRawFrame>();
        served.Harness.Running!.IsCompleted.Should().BeFalse();
        served.Harness.AtEnd.OfType<EndFrame>().Should().BeEmpty();
    }
}
