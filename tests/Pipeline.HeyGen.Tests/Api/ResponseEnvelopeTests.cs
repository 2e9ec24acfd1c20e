using Pipeline.HeyGen.Api.Http;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>The envelope reader accepts every success shape seen in the wild and rejects error codes.</summary>
public sealed class ResponseEnvelopeTests
{
    private static readonly int[] StreamingSuccess = [100];

    [Theory]
    [InlineData("""{"code":100,"message":"success","data":{"a":1}}""", true, "100")]
    [InlineData("""{"code":"100","data":{}}""", true, "100")]
    [InlineData("""{"code":"SUCCESS","data":{}}""", true, "SUCCESS")]
    [InlineData("""{"code":"success"}""", true, "success")]
    [InlineData("""{"error":null,"data":{"token":"t"}}""", true, null)]
    [InlineData("""{"data":{}}""", true, null)]
    [InlineData("""{"code":10005,"message":"session state wrong: closed"}""", false, "10005")]
    [InlineData("""{"code":"FAILED"}""", false, "FAILED")]
    [InlineData("""{"error":{"code":"bad","message":"nope"}}""", false, "bad")]
    [InlineData("""{"error":"nope"}""", false, null)]
    public void Success_depends_on_the_code_or_the_error_member(string body, bool success, string? code)
    {
        var envelope = ResponseEnvelope.ParseSuccessBody(body, StreamingSuccess);

        envelope.IsSuccess.Should().Be(success);
        envelope.Code.Should().Be(code);
    }

    [Fact]
    public void A_JSON_array_is_not_an_envelope()
    {
        var act = () => ResponseEnvelope.ParseSuccessBody("[1,2]", StreamingSuccess);

        act.Should().Throw<System.Text.Json.JsonException>();
    }

    [Theory]
    [InlineData("""{"code":400112,"message":"Unauthorized"}""", "400112", "Unauthorized")]
    [InlineData("""{"error":{"code":"rate_limited","message":"Slow down"}}""", "rate_limited", "Slow down")]
    [InlineData("""{"error":"plain text error"}""", null, "plain text error")]
    [InlineData("""{"detail":[{"msg":"Field required"}]}""", null, "Field required")]
    [InlineData("""{"detail":"Not authenticated"}""", null, "Not authenticated")]
    [InlineData("""{"data":[{"message":"Invalid avatar"}]}""", null, "Invalid avatar")]
    [InlineData("""<html>Bad gateway</html>""", null, null)]
    [InlineData("", null, null)]
    public void Error_bodies_yield_their_code_and_message(string body, string? code, string? message)
    {
        ResponseEnvelope.ParseErrorBody(body).Should().Be((code, message));
    }
}
