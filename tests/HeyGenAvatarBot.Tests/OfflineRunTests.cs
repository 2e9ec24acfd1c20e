using System.Text;
using HeyGenAvatarBot;
using Pipeline.Core.Pipelines;

namespace HeyGenAvatarBot.Tests;

public sealed class OfflineRunTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "avatar-bot-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_example_runs_offline_and_writes_a_decodable_video_a_wav_and_a_contact_sheet()
    {
        var console = new StringWriter();
        var settings = new AvatarBotSettings
        {
            OutputDirectory = _output,
            Sentences = 1,
            Width = 160,
            Height = 90,
            FrameRate = 25,
        };

        AvatarBotResult result = await AvatarBot.RunAsync(settings, console, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        result.Reason.Should().Be(PipelineFinishReason.Ended, console.ToString());
        result.SessionsOpened.Should().Be(1);
        result.SessionsStillOpen.Should().Be(0);

        (int width, int height, int frames) = ReadY4m(result.VideoPath);
        width.Should().Be(160);
        height.Should().Be(90);
        frames.Should().Be(result.VideoFrames);
        frames.Should().BeGreaterThan(100, "the sentence lasts about 5 s at 25 fps");

        byte[] wav = File.ReadAllBytes(result.AudioPath);
        Encoding.ASCII.GetString(wav, 0, 4).Should().Be("RIFF");
        BitConverter.ToInt32(wav, 40).Should().Be(wav.Length - 44, "the WAV header was finalized");
        result.AudioDuration.Should().BeCloseTo(TimeSpan.FromSeconds(frames / 25.0), TimeSpan.FromMilliseconds(100), "audio and video cover the same time");

        byte[] png = File.ReadAllBytes(result.ContactSheetPath!);
        png.AsSpan(0, 8).ToArray().Should().Equal(137, 80, 78, 71, 13, 10, 26, 10);
        console.ToString().Should().Contain("sessions: 1 opened, 1 closed");
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    /// <summary>Parses a YUV4MPEG2 file and counts its frames, checking each frame's size.</summary>
    private static (int Width, int Height, int Frames) ReadY4m(string path)
    {
        using FileStream file = File.OpenRead(path);
        string header = ReadLine(file);
        header.Should().StartWith("YUV4MPEG2 ");
        string[] fields = header.Split(' ');
        int width = int.Parse(fields.Single(f => f.StartsWith('W'))[1..]);
        int height = int.Parse(fields.Single(f => f.StartsWith('H'))[1..]);
        int frameBytes = (width * height) + (2 * ((width + 1) / 2) * ((height + 1) / 2));
        int frames = 0;
        while (file.Position < file.Length)
        {
            ReadLine(file).Should().StartWith("FRAME");
            file.Seek(frameBytes, SeekOrigin.Current);
            file.Position.Should().BeLessThanOrEqualTo(file.Length, "every frame is complete");
            frames++;
        }

        return (width, height, frames);
    }

    private static string ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        for (int b = stream.ReadByte(); b is not -1 and not '\n'; b = stream.ReadByte())
        {
            line.Append((char)b);
        }

        return line.ToString();
    }
}
