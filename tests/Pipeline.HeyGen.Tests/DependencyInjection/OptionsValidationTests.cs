using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Video;

namespace Pipeline.HeyGen.Tests.DependencyInjection;

/// <summary>Bad options stop a host at start-up with the message that names the setting, and never with a secret.</summary>
public sealed class OptionsValidationTests
{
    private const string Secret = "sk-live-0123456789abcdef";

    [Fact]
    public async Task An_empty_HeyGen_key_fails_at_host_start_with_the_precise_message()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHeyGenApi(o => o.ApiKey = "");
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.OptionsType.Should().Be<HeyGenApiOptions>();
        failure.Which.Failures.Should().Equal("An API key is required: set HeyGenApiOptions.ApiKey. (Parameter 'ApiKey')");
        failure.Which.Message.Should().NotContain("are invalid", "the real reason, not a generic one");
    }

    [Fact]
    public async Task An_empty_LiveAvatar_key_fails_at_host_start_with_the_precise_message()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLiveAvatarApi(o => o.ApiKey = "  ");
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.Message.Should().StartWith("An API key is required: set LiveAvatarApiOptions.ApiKey.");
    }

    [Fact]
    public async Task A_bad_setting_beside_a_real_key_is_named_without_echoing_the_key()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHeyGenApi(o =>
        {
            o.ApiKey = Secret;
            o.BaseUrl = new Uri("ftp://api.heygen.com/v1");
        });
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.Message.Should().Contain("HeyGenApiOptions.BaseUrl must be an absolute http(s) URL").And.NotContain(Secret);
        failure.Which.ToString().Should().NotContain(Secret);
    }

    [Fact]
    public async Task Bad_video_service_options_fail_at_host_start_naming_the_setting()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHeyGenApi(o => o.ApiKey = Secret);
        builder.Services.AddHeyGenVideoService(o => o.AudioChannels = 3);
        using IHost host = builder.Build();

        var failure = await FluentActions.Awaiting(() => host.StartAsync()).Should().ThrowAsync<OptionsValidationException>();

        failure.Which.OptionsType.Should().Be<HeyGenVideoServiceOptions>();
        failure.Which.Message.Should().Contain("Avatar audio is mono or stereo").And.NotContain(Secret);
    }

    [Fact]
    public async Task Valid_options_let_the_host_start()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLiveAvatarApi(o => o.ApiKey = Secret);
        builder.Services.AddHeyGenVideoService();
        using IHost host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Without_a_host_the_first_resolve_fails_with_the_same_message()
    {
        var services = new ServiceCollection();
        services.AddHeyGenApi(o => o.ApiKey = "");
        await using ServiceProvider provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<HeyGenApi>())
            .Should().Throw<OptionsValidationException>().WithMessage("An API key is required: set HeyGenApiOptions.ApiKey.*");
    }
}
