using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>A spoken sentence from espeak-ng (Debian's, installed by build/prereqs/30-local-speech-engines.sh): 16-bit mono PCM.</summary>
internal sealed record SpeechWav(byte[] Pcm, int SampleRate)
{
    private static readonly Lazy<SpeechWav> s_sentence = new(() => Speak("Hello, I would like to talk to the avatar about the weather today."));

    public static SpeechWav Sentence => s_sentence.Value;

    public TimeSpan Duration => TimeSpan.FromSeconds(Pcm.Length / 2.0 / SampleRate);

    private static SpeechWav Speak(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lk-transport-speech-{Environment.ProcessId}.wav");
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-w");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(text);
        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("espeak-ng did not start.");
            process.WaitForExit(30_000).Should().BeTrue("espeak-ng speaks one sentence in well under 30 s");
            process.ExitCode.Should().Be(0, process.StandardError.ReadToEnd());
            return Read(File.ReadAllBytes(path));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("espeak-ng is missing: run build/prereqs/30-local-speech-engines.sh.", e);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // RIFF chunks: 'fmt ' gives the rate (mono 16-bit is what espeak-ng writes), 'data' the samples.
    private static SpeechWav Read(byte[] wav)
    {
        Encoding.ASCII.GetString(wav, 0, 4).Should().Be("RIFF");
        int rate = 0;
        for (int i = 12; i + 8 <= wav.Length;)
        {
            string id = Encoding.ASCII.GetString(wav, i, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(i + 4));
            if (id == "fmt ")
            {
                BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(i + 10)).Should().Be(1, "espeak-ng writes mono");
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(i + 12));
            }
            else if (id == "data")
            {
                size = Math.Min(size, wav.Length - i - 8) & ~1;
                return new SpeechWav(wav.AsSpan(i + 8, size).ToArray(), rate);
            }

            i += 8 + size + (size & 1);
        }

        throw new InvalidDataException("The WAV has no data chunk.");
    }
}
