using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.DependencyInjection;

/// <summary><c>AddHeyGenApi(configuration.GetSection(...))</c>: the options come from configuration (settable
/// properties, nested retry settings included) and the bound client works.</summary>
public sealed class ConfigurationBindingTests : EmulatorTest
{
    [Fact]
    public async Task HeyGen_options_bound_from_a_configuration_section_drive_a_working_client()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HeyGen:ApiKey"] = Emulator.ApiKey,
            ["HeyGen:BaseUrl"] = Emulator.StreamingApiBaseUrl.ToString(),
            ["HeyGen:AttemptTimeout"] = "00:00:05",
            ["HeyGen:Retry:MaxRetryAttempts"] = "1",
            ["Other:ApiKey"] = "not-this-one",
        }).Build();
        var services = new ServiceCollection();
        services.AddHeyGenApi(configuration.GetSection("HeyGen"));
        await using ServiceProvider provider = services.BuildServiceProvider();

        HeyGenApiOptions options = provider.GetRequiredService<IOptions<HeyGenApiOptions>>().Value;
        options.ApiKey.Should().Be(Emulator.ApiKey);
        options.BaseUrl.Should().Be(Emulator.StreamingApiBaseUrl);
        options.AttemptTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.Retry.MaxRetryAttempts.Should().Be(1);
        options.SuccessCodes.Should().Equal(100);

        HeyGenApi api = provider.GetRequiredService<HeyGenApi>();
        StandardSessionResponse session = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(session.SessionId);
        Emulator.Sessions.StoppedCount.Should().Be(1);
    }

    [Fact]
    public async Task LiveAvatar_options_bind_enums_too()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LiveAvatar:ApiKey"] = Emulator.LiveAvatarApiKey,
            ["LiveAvatar:BaseUrl"] = Emulator.LiveAvatarApiBaseUrl.ToString(),
            ["LiveAvatar:CloseReason"] = nameof(LiveAvatarStopReason.UserDisconnected),
        }).Build();
        var services = new ServiceCollection();
        services.AddLiveAvatarApi(configuration.GetSection("LiveAvatar"));
        await using ServiceProvider provider = services.BuildServiceProvider();

        LiveAvatarApi api = provider.GetRequiredService<LiveAvatarApi>();
        StandardSessionResponse session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await api.CloseSessionAsync(session.SessionId);

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("USER_DISCONNECTED");
    }

    [Fact]
    public async Task A_missing_section_fails_validation_naming_the_key_to_set()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        var services = new ServiceCollection();
        services.AddHeyGenApi(configuration.GetSection("HeyGen"));
        await using ServiceProvider provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<HeyGenApiOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("An API key is required: set HeyGenApiOptions.ApiKey.*");
    }
}
