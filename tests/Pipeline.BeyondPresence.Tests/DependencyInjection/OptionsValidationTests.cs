using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pipeline.BeyondPresence.Tests.DependencyInjection;

/// <summary>Each bad setting is named with what to do; no message quotes the key.</summary>
public sealed class OptionsValidationTests
{
    private const string Key = "bey-sk-live-0123456789abcdefXYZ";

    public static TheoryData<string, Action<BeyondPresenceOptions>, string> BadSettings() => new()
    {
        { "missing key", o => o.ApiKey = "", "A Beyond Presence API key is required: set BeyondPresenceOptions.ApiKey (e.g. from the BEY_API_KEY environment variable)." },
        { "key with a newline", o => o.ApiKey = Key + "\n", "BeyondPresenceOptions.ApiKey contains whitespace or control characters*check BEY_API_KEY*" },
        { "empty avatar", o => o.AvatarId = " ", "BeyondPresenceOptions.AvatarId is empty*" },
        { "relative base url", o => o.BaseUrl = new Uri("/v1", UriKind.Relative), "BeyondPresenceOptions.BaseUrl must be an absolute http(s) URL*" },
        { "ws base url", o => o.BaseUrl = new Uri("ws://api.bey.dev"), "BeyondPresenceOptions.BaseUrl must be an absolute http(s) URL*" },
        { "empty worker identity", o => o.WorkerIdentity = "", "BeyondPresenceOptions.WorkerIdentity is empty*" },
        { "tiny timeout", o => o.RequestTimeout = TimeSpan.FromMilliseconds(1), "BeyondPresenceOptions.RequestTimeout must be between 100 ms and 5 minutes*" },
        { "negative retries", o => o.MaxRetryAttempts = -1, "BeyondPresenceOptions.MaxRetryAttempts must be between 0 and 10*" },
        { "many retries", o => o.MaxRetryAttempts = 11, "BeyondPresenceOptions.MaxRetryAttempts must be between 0 and 10*" },
        { "negative delay", o => o.RetryBaseDelay = TimeSpan.FromSeconds(-1), "BeyondPresenceOptions.RetryBaseDelay must be between 0 and 1 minute*" },
        { "max below base", o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(10), "BeyondPresenceOptions.MaxRetryDelay must be at least RetryBaseDelay*" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_is_refused_by_the_client_with_what_to_fix(string _, Action<BeyondPresenceOptions> spoil, string expected)
    {
        var options = new BeyondPresenceOptions { ApiKey = Key };
        spoil(options);

        var failure = FluentActions.Invoking(() => new BeyondPresenceApi(options)).Should().Throw<ArgumentException>();

        failure.WithMessage(expected + "*");
        failure.Which.Message.Should().NotContain(Key);
    }

    [Fact]
    public void The_defaults_are_beyond_presences()
    {
        var options = new BeyondPresenceOptions();

        options.BaseUrl.Should().Be(new Uri("https://api.bey.dev"));
        options.AvatarId.Should().Be("b9be11b8-89fb-4227-8f86-4a881393cbdb");
        options.WorkerIdentity.Should().Be("bey-avatar-agent");
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.MaxRetryAttempts.Should().Be(3);
    }

    [Fact]
    public async Task A_missing_key_stops_the_host_at_start_with_the_precise_message()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddBeyondPresence(o => o.ApiKey = "");
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.OptionsType.Should().Be<BeyondPresenceOptions>();
        failure.Which.Failures.Should().ContainSingle().Which.Should().StartWith("A Beyond Presence API key is required");
    }

    [Fact]
    public async Task A_bad_setting_at_host_start_never_quotes_the_key()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddBeyondPresence(o =>
        {
            o.ApiKey = Key;
            o.MaxRetryAttempts = 99;
        });
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.Message.Should().Contain("MaxRetryAttempts").And.NotContain(Key);
    }
}
