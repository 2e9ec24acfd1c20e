using Microsoft.Playwright;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>
/// Debian's Chromium (build/prereqs/40-chromium.sh), driven by Playwright through its executable path. Playwright's
/// own browser download is never used.
/// </summary>
internal static class Chromium
{
    /// <summary>The browser: <c>PIPELINE_CHROMIUM</c> when set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath()
    {
        string path = Environment.GetEnvironmentVariable("PIPELINE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Chromium is not at {path}: run build/prereqs/40-chromium.sh (as root) or set PIPELINE_CHROMIUM.");
    }

    /// <summary>Launches headless Chromium with a fake microphone that plays <paramref name="microphoneWav"/> (looped).</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(string microphoneWav)
    {
        // Playwright downloads browsers only when asked to install them; this makes sure nothing on the way does.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath(),
                Headless = true,
                Args =
                [
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    $"--use-file-for-fake-audio-capture={microphoneWav}",
                    "--autoplay-policy=no-user-gesture-required",
                    // CI runs the tests as root, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                ],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The repository's <c>artifacts/</c> folder (created), where test artifacts such as screenshots go.</summary>
    public static string ArtifactsDirectory(string name)
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            dir = dir.Parent;
        }

        string path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", name);
        Directory.CreateDirectory(path);
        return path;
    }
}
