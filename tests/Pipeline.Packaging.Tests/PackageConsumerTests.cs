using Xunit.Abstractions;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// A new user's console app (Consumer/) built from the packed packages alone: the local feed plus the machine's
/// normal NuGet sources, no project references. It runs without and with DI, and loads LiveKit's engine from the
/// native package both from a RID-less build (runtimes/linux-x64/native/) and from a linux-x64 publish (app folder).
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageConsumerTests(PackedFeed feed, ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    private string PackagesFolder => Path.Combine(feed.Root, "packages");

    [Fact]
    public async Task A_console_app_built_from_the_packages_runs_with_and_without_DI_and_loads_the_packaged_engine()
    {
        string app = CreateConsumer("build");

        await DotnetAsync(app, "build", "-c", "Release");
        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        string expectedEngineFolder = Path.Combine(bin, "runtimes", "linux-x64", "native");
        File.Exists(Path.Combine(expectedEngineFolder, "libnapistub.so")).Should().BeTrue("the native package's files are copied under runtimes/");

        foreach (string mode in new[] { "plain", "di" })
        {
            string run = await RunAsync(app, DotnetCli.Host, Path.Combine(bin, "Consumer.dll"), mode);
            run.Should().Contain($"consumer {mode}: all checks passed");
            EnginePath(run).Should().Be(Path.Combine(expectedEngineFolder, "rtc-node.linux-x64-gnu.node"));
            SearchDirectories(run).Should().Contain(d => Path.TrimEndingDirectorySeparator(d) == expectedEngineFolder,
                "the host lists the package's native folder from deps.json, which the locator also searches");
        }

        // Without the app-local copy, the host resolves the native asset from a probing path (as `dotnet run` does
        // from the NuGet cache) and names that folder in NATIVE_DLL_SEARCH_DIRECTORIES: the locator finds it there.
        Directory.Delete(Path.Combine(bin, "runtimes"), recursive: true);
        string probed = await RunAsync(app, DotnetCli.Host, "exec", "--additionalprobingpath", PackagesFolder, Path.Combine(bin, "Consumer.dll"), "plain");
        probed.Should().Contain("consumer plain: all checks passed");
        EnginePath(probed).Should().Be(Path.Combine(PackagesFolder, "pipeline.livekit.native.linux-x64", feed.Version.ToLowerInvariant(),
            "runtimes", "linux-x64", "native", "rtc-node.linux-x64-gnu.node"));
    }

    [Fact]
    public async Task A_linux_x64_publish_of_the_app_loads_the_engine_from_the_app_folder()
    {
        string app = CreateConsumer("publish");
        string published = Path.Combine(app, "published");

        await DotnetAsync(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", published);
        string run = await RunAsync(app, Path.Combine(published, "Consumer"), "plain");

        run.Should().Contain("consumer plain: all checks passed");
        EnginePath(run).Should().Be(Path.Combine(published, "rtc-node.linux-x64-gnu.node"), "a RID-specific publish flattens runtimes/linux-x64/native");
    }

    private string CreateConsumer(string name)
    {
        string app = Path.Combine(feed.Root, name);
        Directory.CreateDirectory(app);
        foreach (string file in new[] { "Consumer.csproj", "Program.cs" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", file), Path.Combine(app, file));
        }

        // The local feed is added to the machine's sources (no <clear/>): Microsoft.Extensions.* come from NuGet as usual.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pipeline-local" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        return app;
    }

    /// <summary>
    /// Restores into a private packages folder (the machine's global one is only read, as a fallback): packs of
    /// different commits can share a version, and a stale cached copy must never be what is tested.
    /// </summary>
    private async Task DotnetAsync(string app, params string[] arguments)
    {
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] all = [.. arguments, $"-p:PipelineVersion={feed.Version}", $"-p:RestorePackagesPath={PackagesFolder}",
            $"-p:RestoreFallbackFolders={global}", "-nodeReuse:false", "-p:UseSharedCompilation=false"];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (int exit, string text) = await DotnetCli.RunAsync(DotnetCli.Host, all, app, StepTimeout);
        output.WriteLine($"dotnet {arguments[0]}: {clock.Elapsed.TotalSeconds:F1} s (packing took {feed.PackTime.TotalSeconds:F1} s)");
        exit.Should().Be(0, $"dotnet {string.Join(' ', arguments)} of the consumer app must succeed:\n{text}");
    }

    private async Task<string> RunAsync(string app, string fileName, params string[] arguments)
    {
        (int exit, string text) = await DotnetCli.RunAsync(fileName, arguments, app, TimeSpan.FromMinutes(2));
        output.WriteLine(text);
        exit.Should().Be(0, $"the consumer app ({string.Join(' ', arguments)}) must pass its checks:\n{text}");
        return text;
    }

    private static string EnginePath(string run) => Line(run, "engine-path: ");

    private static string[] SearchDirectories(string run) =>
        Line(run, "native-search-directories: ").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    private static string Line(string run, string prefix) =>
        run.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
}
