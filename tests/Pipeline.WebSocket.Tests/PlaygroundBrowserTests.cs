using Microsoft.Playwright;
using Pipeline.Core.Frames;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;
using Xunit.Abstractions;

namespace Pipeline.WebSocket.Tests;

/// <summary>
/// The playground page in a real browser: Debian's Chromium, headless, with a fake microphone playing an espeak-ng
/// sentence, against the real transport; a tone-and-colour bot stands in for the voice bot.
/// </summary>
public sealed class PlaygroundBrowserTests(ITestOutputHelper output)
{
    private const string DistinctColoursDrawn = """
        (wanted) => {
          const canvas = document.getElementById("video");
          const [r, g, b] = canvas.getContext("2d").getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
          window.__colours = window.__colours || new Set();
          if (r + g + b > 0) window.__colours.add(`${r >> 4},${g >> 4},${b >> 4}`);
          return window.__colours.size >= wanted;
        }
        """;

    [Fact]
    public async Task The_playground_sends_the_microphone_and_shows_plays_and_captions_the_bot()
    {
        string work = Directory.CreateTempSubdirectory("playground-").FullName;
        SpokenWav speech = await SpokenWav.CreateAsync("Hello avatar, can you hear me?", TimeSpan.FromMilliseconds(800), work);
        var bot = new ToneAndColourBot();
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect }, bot);
        (IPlaywright playwright, IBrowser browser) = await Chromium.LaunchAsync(speech.Path);
        using (playwright)
        await using (browser)
        {
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 800, Height = 900 } });
            page.Console += (_, message) => output.WriteLine($"page: {message.Text}");
            page.SetDefaultTimeout(20_000);
            await page.GotoAsync(served.Transport.BaseAddress!.ToString());

            await page.ClickAsync("#connect");
            await page.WaitForFunctionAsync("() => window.playground.stats.connected");
            (await page.Locator("#connect").GetAttributeAsync("aria-pressed")).Should().Be("true");

            // The pipeline hears the user's speech ...
            await served.Harness.WaitUntilAsync(() => bot.Replies >= 1, "the bot to hear the sentence and reply");
            // ... and the page shows the avatar's changing frames, plays its audio and captions both sides.
            await page.WaitForFunctionAsync(DistinctColoursDrawn, 5, new PageWaitForFunctionOptions { PollingInterval = 20 });
            await page.WaitForFunctionAsync("() => window.playground.stats.audioChunksPlayed >= 25 && window.playground.stats.peakOutputLevel > 0.2");
            (await page.Locator("#captions li.bot").First.TextContentAsync()).Should().Be(ToneAndColourBot.Reply);
            (await page.Locator("#captions li.user").First.TextContentAsync()).Should().MatchRegex(@"^\(heard \d+ ms of speech\)$");

            string screenshot = Path.Combine(Chromium.ArtifactsDirectory("playground"), "playground.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            output.WriteLine($"screenshot: {screenshot}");
            Console.WriteLine($"Playground screenshot: {screenshot}");

            // The user's sentence arrived as spoken: its loud and quiet parts line up with the WAV's, 20 ms by 20 ms.
            await served.Harness.WaitUntilAsync(() => bot.Heard().Length >= 2 * speech.Pcm.Length, "two loops of the microphone file");
            double[] expected = LevelEnvelope.Of(speech.Pcm, SpokenWav.SampleRate);
            double[] heard = LevelEnvelope.Of(bot.Heard(), 16_000);
            (double correlation, int offset) = LevelEnvelope.BestMatch(expected, heard);
            output.WriteLine($"speech envelope correlation {correlation:0.00} at {offset * 20} ms");
            correlation.Should().BeGreaterThan(0.8, "the pipeline hears the sentence the browser's microphone played");

            await page.ClickAsync("#connect");
            await served.WaitForAsync<WebSocketClientDisconnectedFrame>();
            (await page.Locator("#status").TextContentAsync()).Should().StartWith("Disconnected");
        }

        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Single().SampleRate.Should().Be(16_000, "the page captures at 16 kHz");
        served.Recorder.Downstream.OfType<InputAudioRawFrame>().Should().NotBeEmpty();
        Directory.Delete(work, recursive: true);
    }
}
