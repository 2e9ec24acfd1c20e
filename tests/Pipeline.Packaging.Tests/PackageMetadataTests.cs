using System.IO.Compression;
using System.Xml.Linq;

namespace Pipeline.Packaging.Tests;

/// <summary>What nuget.org and a package user see: metadata, readme, licence, symbols, dependencies, native files.</summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageMetadataTests(PackedFeed feed)
{
    public static TheoryData<string> Packages() => new(PackedFeed.PackageIds);

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_carries_its_metadata_licence_and_readme(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
        XElement metadata = Nuspec(package, id);

        Value(metadata, "version").Should().Be(feed.Version).And.MatchRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$");
        Value(metadata, "authors").Should().NotBeNullOrWhiteSpace();
        Value(metadata, "description").Should().NotBeNullOrWhiteSpace();
        Value(metadata, "tags").Should().Contain("pipeline");
        Value(metadata, "license").Should().StartWith(id.Contains("Native", StringComparison.Ordinal) ? "Apache-2.0" : "MIT");
        metadata.Elements().Single(e => e.Name.LocalName == "license").Attribute("type")!.Value.Should().Be("expression");
        Value(metadata, "readme").Should().Be("README.md");
        package.GetEntry("README.md").Should().NotBeNull("the readme nuget.org shows is the project's PACKAGE.md");
        package.GetEntry("LICENSE").Should().NotBeNull();

        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        repository.Attribute("type")!.Value.Should().Be("git");
        repository.Attribute("commit")!.Value.Should().MatchRegex("^[0-9a-f]{40}$", "the package names the commit it was built from");
    }

    [Theory]
    [InlineData("Pipeline.Core")]
    [InlineData("Pipeline.HeyGen")]
    [InlineData("Pipeline.HeyGen.Emulator")]
    [InlineData("Pipeline.LiveKit")]
    [InlineData("Pipeline.BeyondPresence")]
    [InlineData("Pipeline.Tavus")]
    [InlineData("Pipeline.AvatarWorker.Emulator")]
    public void Managed_packages_ship_docs_and_a_symbols_package(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
        package.GetEntry($"lib/net10.0/{id}.dll").Should().NotBeNull();
        package.GetEntry($"lib/net10.0/{id}.xml").Should().NotBeNull("IntelliSense comes from the XML docs");

        using ZipArchive symbols = ZipFile.OpenRead(feed.Package(id, "snupkg"));
        symbols.GetEntry($"lib/net10.0/{id}.pdb").Should().NotBeNull();
    }

    [Theory]
    [InlineData("Pipeline.Core")]
    [InlineData("Pipeline.HeyGen")]
    [InlineData("Pipeline.LiveKit")]
    [InlineData("Pipeline.BeyondPresence")]
    [InlineData("Pipeline.Tavus")]
    public void Microsoft_extensions_dependencies_are_the_lowest_10_0_so_apps_pinning_10_0_do_not_downgrade(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
        var extensions = Dependencies(Nuspec(package, id)).Where(d => d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)).ToList();

        extensions.Should().NotBeEmpty();
        extensions.Should().OnlyContain(d => d.Version == "10.0.0", "net10.0 packages depend on the 10.0.0 abstractions (NU1605 otherwise)");
    }

    [Fact]
    public void The_livekit_package_brings_the_native_engine_package_which_holds_the_pinned_engine_and_its_stub()
    {
        using (ZipArchive livekit = ZipFile.OpenRead(feed.Package("Pipeline.LiveKit")))
        {
            Dependencies(Nuspec(livekit, "Pipeline.LiveKit")).Should().Contain(("Pipeline.LiveKit.Native.linux-x64", feed.Version));
        }

        using ZipArchive native = ZipFile.OpenRead(feed.Package("Pipeline.LiveKit.Native.linux-x64"));
        native.Entries.Where(e => e.FullName.StartsWith("runtimes/", StringComparison.Ordinal)).Select(e => e.FullName).Should().BeEquivalentTo(
            "runtimes/linux-x64/native/rtc-node.linux-x64-gnu.node", "runtimes/linux-x64/native/libnapistub.so");
        native.Entries.Should().NotContain(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal), "it is a runtime-only package");
        using Stream engine = native.GetEntry("runtimes/linux-x64/native/rtc-node.linux-x64-gnu.node")!.Open();
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(engine))
            .Should().Be("fa48fe6bf505b61a3d00b4f3dd1ae0ca30550deaf992f594aac4e9fe41685d94", "the npm artifact is sha256-pinned");
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using Stream nuspec = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static IEnumerable<(string Id, string Version)> Dependencies(XElement metadata) =>
        metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")!.Value));
}
