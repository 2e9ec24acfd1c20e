using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;
using Pipeline.HeyGen.Video;

namespace Pipeline.HeyGen.Tests.DependencyInjection;

/// <summary>
/// Per-pipeline video services come from <see cref="HeyGenVideoServiceFactory"/>, untracked by the container: a
/// hundred pipelines run and disposed leave nothing alive, and a synchronous <c>Dispose()</c> of the provider works.
/// </summary>
public sealed class VideoServiceFactoryTests : EmulatorTest
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_hundred_pipelines_created_by_the_factory_and_run_leave_no_service_reachable()
    {
        var counter = new CountingHandler.Counter();
        await using ServiceProvider provider = BuildProvider(counter);
        IAvatarServiceFactory factory = provider.GetRequiredService<IAvatarServiceFactory>();

        var services = new List<WeakReference>();
        for (int i = 0; i < 100; i++)
        {
            services.Add(await RunOnePipelineAsync(factory, i));
        }

        // The last run's completion resumed this method inline, on a stack that still holds that pipeline's frames: a
        // yield moves it off that stack (a few tries, in case the completing thread is still unwinding).
        for (int attempt = 0; attempt < 10 && (attempt == 0 || services.Any(s => s.IsAlive)); attempt++)
        {
            await Task.Yield();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        int[] alive = [.. services.Select((s, i) => (s, i)).Where(p => p.s.IsAlive).Select(p => p.i)];
        alive.Should().BeEmpty("the container tracks none of them and the pipelines disposed them");
        Emulator.Sessions.OpenedCount.Should().Be(100);
        Emulator.Sessions.StoppedCount.Should().Be(100, "every billed session was closed");
        int rest = Emulator.Requests.All.Count(r => r.Endpoint is not (EmulatorEndpoint.StreamingRealtime or EmulatorEndpoint.MediaRoomJoin));
        counter.Requests.Should().Be(rest, "each service's REST client is on the registered HttpClient")
            .And.Be(300, "streaming.new, streaming.start and streaming.stop for each pipeline");
    }

    [Fact]
    public async Task The_trap_the_factory_avoids_a_container_transient_is_kept_alive_and_breaks_a_synchronous_Dispose()
    {
        // The control for the two tests around it: the same services as container transients (the old recipe).
        IServiceCollection collection = Collection(new CountingHandler.Counter());
        collection.AddTransient(sp => sp.GetRequiredService<HeyGenVideoServiceFactory>().Create());
        ServiceProvider provider = collection.BuildServiceProvider();

        List<WeakReference> resolved = ResolveTransients(provider, 10);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        resolved.Count(r => r.IsAlive).Should().Be(10, "the root provider keeps every disposable transient it handed out");
        FluentActions.Invoking(provider.Dispose).Should().Throw<InvalidOperationException>().WithMessage("*IAsyncDisposable*");
        await provider.DisposeAsync();
    }

    [Fact]
    public async Task A_synchronous_Dispose_of_the_provider_does_not_throw()
    {
        ServiceProvider provider = BuildProvider(new CountingHandler.Counter());
        provider.GetRequiredService<HeyGenApi>().Should().NotBeNull();
        provider.GetRequiredService<BaseAvatarApi>().Should().NotBeNull();
        HeyGenVideoService created = provider.GetRequiredService<HeyGenVideoServiceFactory>().Create();
        provider.GetRequiredService<IAvatarServiceFactory>().Should().NotBeNull();

        FluentActions.Invoking(provider.Dispose).Should().NotThrow();
        await created.DisposeAsync();
    }

    [Fact]
    public async Task Per_pipeline_changes_apply_to_that_service_only()
    {
        await using ServiceProvider provider = BuildProvider(new CountingHandler.Counter());
        HeyGenVideoServiceFactory factory = provider.GetRequiredService<HeyGenVideoServiceFactory>();

        await using HeyGenVideoService custom = factory.Create(o => o.Realtime.MaxReconnectAttempts = 0, name: "custom-avatar");
        await using HeyGenVideoService plain = factory.Create();

        provider.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.Realtime.MaxReconnectAttempts
            .Should().Be(5, "the registered options (and their realtime settings) are copied, not changed");
        custom.Name.Should().Be("custom-avatar");
        plain.Name.Should().StartWith("HeyGenVideoService#");
        FluentActions.Invoking(() => factory.Create(o => o.AudioChannels = 3))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Avatar audio is mono or stereo*");
    }

    private ServiceProvider BuildProvider(CountingHandler.Counter counter) =>
        Collection(counter).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private ServiceCollection Collection(CountingHandler.Counter counter)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton(Emulator.MediaConnector);
        services.AddHeyGenApi(o =>
        {
            o.ApiKey = Emulator.ApiKey;
            o.BaseUrl = Emulator.StreamingApiBaseUrl;
        }).AddHttpMessageHandler(() => new CountingHandler(counter));
        services.AddHeyGenVideoService(o => o.SessionRequest = new NewSessionRequest { ActivityIdleTimeout = 60 });
        return services;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> ResolveTransients(IServiceProvider provider, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new WeakReference(provider.GetRequiredService<HeyGenVideoService>()))];

    // Not inlined, and every strong reference (service, task) dies with this frame: only the weak one leaves it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> RunOnePipelineAsync(IAvatarServiceFactory factory, int i)
    {
        AvatarVideoService service = factory.Create($"soak-{i}");
        var task = new PipelineTask(service);
        await task.QueueFramesAsync([new OutputTransportReadyFrame(), new EndFrame()]);
        (await task.RunAsync().WaitAsync(Hang)).Should().Be(PipelineFinishReason.Ended);
        service.SessionId.Should().NotBeNullOrEmpty();
        return new WeakReference(service);
    }
}
