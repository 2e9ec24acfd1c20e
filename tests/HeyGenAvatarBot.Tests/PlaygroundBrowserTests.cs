using HeyGenAvatarBot.Conversation;
using Microsoft.Playwright;
using Pipeline.Core.Audio;
using Pipeline.WebSocket.Tests.Support;
using Xunit.Abstractions;

namespace HeyGenAvatarBot.Tests;

/// <summary>
/// The default mode in a real browser, through the example's own wiring: the bot prints its URL, Debian's Chromium
/// (headless, a fake microphone playing the shipped weather question) opens it and clicks Connect; the avatar greets,
/// hears the question and answers it on the page's canvas, speakers and captions; Disconnect ends the run.
/// </summary>
public sealed class PlaygroundBrowserTests(ITestOutputHelper output)
{
    // How long any one step may take before the test reports a hang; generous because the machine is shared and the
    // bot runs VAD, pocketsphinx, espeak-ng, the emulated avatar and Chromium at once. Steps are waited on, not timed.
    private const float HangLimitMs = 90_000;

    // The canvas shows changing avatar frames: a cheap checksum of the whole canvas, taken each poll, counted distinct.
    private const string DistinctFramesDrawn = """
        (wanted) => {
          const canvas = document.getElementById("video");
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          let sum = 0, lit = false;
          for (let i = 0; i < data.length; i += 4 * 7) {
            sum = (sum * 31 + data[i] + 3 * data[i + 1] + 7 * data[i + 2]) | 0;
            lit = lit || data[i] + data[i + 1] + data[i + 2] > 0;
          }
          window.__frames = window.__frames || new Set();
          if (lit) window.__frames.add(sum);
          return window.__frames.size >= wanted;
        }
        """;

    [Fact(Timeout = 240_000)]
    public async Task The_playground_in_Chromium_greets_hears_the_question_answers_it_and_Disconnect_ends_the_run()
    {
        var console = new LineSignallingWriter();
        string work = Directory.CreateTempSubdirectory("bot-playground-").FullName;
        try
        {
            await RunAsync(console, work);
        }
        finally
        {
            output.WriteLine(console.ToString());
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task RunAsync(LineSignallingWriter console, string work)
    {
        ScriptedTurn weather = ScriptedTurn.LoadAll(Path.Combine(AppContext.BaseDirectory, "Assets"))[1];
        string microphone = MicrophoneWav(weather, work);

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Task<int> run = BotCommand.RunAsync(["--port", "0", "--size", "320x180", "--engines", "local"], console, console, _ => null, stop.Token);
        try
        {
            string opened = await console.WhenLine(l => l.StartsWith("Open http", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromMilliseconds(HangLimitMs));
            string url = opened.Split(' ')[1];

            (IPlaywright playwright, IBrowser browser) = await Chromium.LaunchAsync(microphone);
            using (playwright)
            await using (browser)
            {
                IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 700 } });
                page.Console += (_, message) => output.WriteLine($"page: {message.Text}");
                page.SetDefaultTimeout(HangLimitMs);
                await page.GotoAsync(url);

                await page.ClickAsync("#connect");
                await page.WaitForFunctionAsync("() => window.playground.stats.connected");

                // The avatar greets the browser: its caption, its changing frames on the canvas, its voice on the speakers.
                string greetingStart = PlaygroundRun.Greeting.Split('!')[0] + "!";
                await page.Locator("#captions li.bot", new PageLocatorOptions { HasText = greetingStart }).First.WaitForAsync();
                await page.WaitForFunctionAsync(DistinctFramesDrawn, 10, new PageWaitForFunctionOptions { PollingInterval = 40 });
                await page.WaitForFunctionAsync("() => window.playground.stats.audioChunksPlayed >= 25 && window.playground.stats.peakOutputLevel > 0.1");

                // The microphone's question is heard and answered with the scripted weather reply.
                string replyStart = weather.Reply.Split('.')[0] + ".";
                await page.Locator("#captions li.bot", new PageLocatorOptions { HasText = replyStart }).First.WaitForAsync();
                // The whole reply, so the screenshot shows the conversation as a person would see it.
                string replyEnd = weather.Reply.Split('.')[1].Trim();
                await page.Locator("#captions li.bot", new PageLocatorOptions { HasText = replyEnd }).First.WaitForAsync();
                string heard = await console.WhenLine(l => l.Contains("user said (as heard)", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromMilliseconds(HangLimitMs));
                heard.Should().ContainAny(weather.Keywords);
                // The user's words are captioned too: the LLM passes the final transcription on to the output transport.
                await page.Locator("#captions li.user").First.WaitForAsync();
                IReadOnlyList<string> userCaptions = await page.Locator("#captions li.user").AllTextContentsAsync();
                output.WriteLine($"user captions on the page: [{string.Join(" | ", userCaptions)}]");
                userCaptions.Should().Contain(
                    caption => weather.Keywords.Any(word => caption.Contains(word, StringComparison.OrdinalIgnoreCase)),
                    "the question as heard is captioned as the user's");

                string screenshot = Path.Combine(Chromium.ArtifactsDirectory("bot-playground"), "playground.png");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
                output.WriteLine($"screenshot: {screenshot}");

                await page.ClickAsync("#connect");
                await page.WaitForFunctionAsync("() => !window.playground.stats.connected");
                int exit = await run.WaitAsync(TimeSpan.FromMilliseconds(HangLimitMs));
                exit.Should().Be(0, "closing the page ends the run cleanly");
            }

            console.ToString().Should().Contain("sessions: 1 opened, 1 closed");
        }
        finally
        {
            // RunAsync always returns: a failed step above still ends the bot before the test does.
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromMilliseconds(HangLimitMs)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The fake microphone's file (Chromium loops it): silence while the avatar greets, the shipped weather question,
    /// then silence long enough that the loop does not come round again during the test.
    /// </summary>
    private static string MicrophoneWav(ScriptedTurn question, string directory)
    {
        int before = PcmFormat.BytesFor(TimeSpan.FromSeconds(8), question.SampleRate);
        int after = PcmFormat.BytesFor(TimeSpan.FromSeconds(120), question.SampleRate);
        byte[] pcm = new byte[before + question.Pcm.Length + after];
        question.Pcm.CopyTo(pcm, before);
        string path = Path.Combine(directory, "microphone.wav");
        File.WriteAllBytes(path, WavFile.Write(pcm, question.SampleRate));
        return path;
    }
}
