using System.Net;
using Microsoft.Extensions.Time.Testing;
using Pipeline.HeyGen.Api.Http;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>How a Retry-After header turns into a wait, and which statuses count as transient.</summary>
public sealed class RetryAfterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 7, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Delta_seconds_are_used_as_is()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new(TimeSpan.FromSeconds(12));

        AvatarApiResilience.RetryAfter(response, _time).Should().Be(TimeSpan.FromSeconds(12));
    }

    [Fact]
    public void An_HTTP_date_is_measured_from_the_injected_clock()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new(_time.GetUtcNow().AddSeconds(30));

        AvatarApiResilience.RetryAfter(response, _time).Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_date_in_the_past_means_retry_now()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter = new(_time.GetUtcNow().AddSeconds(-30));

        AvatarApiResilience.RetryAfter(response, _time).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void No_header_means_no_override()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        AvatarApiResilience.RetryAfter(response, _time).Should().BeNull();
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(501, false)]
    [InlineData(505, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void Transient_statuses_are_408_429_and_5xx_except_501_and_505(int status, bool transient) =>
        AvatarApiResilience.IsTransient((HttpStatusCode)status).Should().Be(transient);
}
