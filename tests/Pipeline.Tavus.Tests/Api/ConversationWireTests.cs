using Pipeline.Tavus.Tests.Infrastructure;

namespace Pipeline.Tavus.Tests.Api;

/// <summary>What goes over the wire for a conversation, and what comes back.</summary>
public sealed class ConversationWireTests : TavusTest
{
    [Fact]
    public async Task Create_posts_the_documented_request_byte_for_byte()
    {
        using TavusApi api = Api();

        await api.CreateConversationAsync(Request());

        RecordedRequest request = Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/v2/conversations");
        request.Headers["x-api-key"].Should().Be(TavusFake.ApiKey);
        request.Headers["content-type"].Should().Be("application/json; charset=utf-8");
        request.BodyText.Should().Be(
            "{\"replica_id\":\"r-anna\",\"persona_id\":\"p-echo-livekit\",\"conversation_name\":\"pipeline-room-1\"," +
            $"\"properties\":{{\"livekit_ws_url\":\"wss://agents.example.livekit.cloud\",\"livekit_room_token\":\"{TavusFake.WorkerToken}\"}}}}");
    }

    [Fact]
    public async Task Without_a_replica_the_field_is_left_out_for_the_personas_default()
    {
        using TavusApi api = Api();

        await api.CreateConversationAsync(Request(replicaId: null));

        Server.Requests.Single().BodyText.Should().StartWith("{\"persona_id\":\"p-echo-livekit\",").And.NotContain("replica_id");
    }

    [Fact]
    public async Task Create_reads_the_answer_and_keeps_no_meeting_url()
    {
        using TavusApi api = Api();

        TavusConversation conversation = await api.CreateConversationAsync(Request());

        conversation.Should().Be(new TavusConversation { ConversationId = "c000001", ConversationName = "pipeline-room-1", Status = "active" });
        conversation.ToString().Should().NotContain("daily.co");
    }

    [Fact]
    public async Task End_posts_to_the_conversations_end_path()
    {
        using TavusApi api = Api();
        TavusConversation conversation = await api.CreateConversationAsync(Request());

        bool ended = await api.EndConversationAsync(conversation.ConversationId);

        ended.Should().BeTrue();
        RecordedRequest end = Server.Requests[^1];
        end.Method.Should().Be("POST");
        end.Path.Should().Be("/v2/conversations/c000001/end");
        end.Headers["x-api-key"].Should().Be(TavusFake.ApiKey);
        Tavus.Ends["c000001"].Should().Be(1);
    }

    [Fact]
    public async Task Ending_a_conversation_tavus_does_not_know_reports_it_ended_already()
    {
        using TavusApi api = Api();

        bool ended = await api.EndConversationAsync("c999999");

        ended.Should().BeFalse();
        Server.Requests.Should().ContainSingle("a 404 is not retried");
    }

    [Fact]
    public void The_request_never_shows_its_token()
    {
        Request().ToString().Should().NotContain(TavusFake.WorkerToken).And.Contain("token redacted").And.Contain("pipeline-room-1");
    }
}
