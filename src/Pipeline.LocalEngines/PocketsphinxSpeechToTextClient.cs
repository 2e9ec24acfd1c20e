using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;
using Pipeline.Core.Audio;

namespace Pipeline.LocalEngines;

/// <summary>
/// Offline speech to text over Debian's CMU pocketsphinx (<c>pocketsphinx_continuous</c>, run as a process per
/// request) with its US-English model (Debian package pocketsphinx-en-us).
/// </summary>
/// <remarks>
/// <para>
/// Input: a WAV file of 16-bit PCM (any rate, any channel count), or raw 16-bit mono little-endian PCM when
/// <see cref="SpeechToTextOptions.SpeechSampleRate"/> says its rate. The audio is mixed to mono and resampled to
/// 16 kHz, the rate the model was trained for. <see cref="SpeechToTextOptions.SpeechLanguage"/> picks the model
/// (<c>en-US</c> and <c>en</c> map to <c>en-us</c>; Debian ships only that one).
/// </para>
/// <para>
/// The response has the recognised words and, in <see cref="SpeechToTextResponse.StartTime"/>/<see cref="SpeechToTextResponse.EndTime"/>,
/// where the first word starts and the last ends. pocketsphinx recognises whole files, so the streaming call yields
/// the result once recognition has finished.
/// </para>
/// </remarks>
public sealed class PocketsphinxSpeechToTextClient : ISpeechToTextClient
{
    private const string Engine = "pocketsphinx";
    private const int ModelSampleRate = 16_000;

    private readonly PocketsphinxOptions _options;
    private readonly string _executable;
    private readonly ConcurrentDictionary<string, PocketsphinxModel> _models = new(StringComparer.Ordinal);
    private readonly SpeechToTextClientMetadata _metadata;

    /// <summary>Creates the client and checks that the program and the default language's model are installed.</summary>
    /// <param name="options">Program, model location and default language; defaults when null.</param>
    /// <exception cref="SpeechEngineNotFoundException">The program or the model is missing; the message says what to install.</exception>
    public PocketsphinxSpeechToTextClient(PocketsphinxOptions? options = null)
    {
        _options = options ?? new PocketsphinxOptions();
        _options.Validate();
        _executable = ExecutableLocator.Require(_options.ExecutablePath, "pocketsphinx pocketsphinx-en-us");
        PocketsphinxModel model = ModelFor(_options.DefaultLanguage);
        _metadata = new SpeechToTextClientMetadata(Engine, null, model.Language);
    }

    /// <inheritdoc />
    public async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audioSpeechStream);
        PocketsphinxModel model = ModelFor(options?.SpeechLanguage ?? _options.DefaultLanguage);
        byte[] input = await ReadAllAsync(audioSpeechStream, cancellationToken).ConfigureAwait(false);
        WavAudio audio = ToModelFormat(input, options?.SpeechSampleRate);

        string wav = Path.Combine(Path.GetTempPath(), $"pipeline-stt-{Guid.NewGuid():N}.wav");
        try
        {
            // pocketsphinx_continuous skips a 44-byte header only for files named *.wav.
            await File.WriteAllBytesAsync(wav, audio.ToWav(), cancellationToken).ConfigureAwait(false);
            string output;
            await using (EngineProcess run = EngineProcess.Start(_executable, Arguments(model, wav), Engine))
            {
                run.StandardInput.Close();
                using var reader = new StreamReader(run.StandardOutput, Encoding.UTF8);
                output = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await run.WaitForSuccessAsync(cancellationToken).ConfigureAwait(false);
            }

            List<PocketsphinxTranscript.Word> words = PocketsphinxTranscript.Parse(output);
            return new SpeechToTextResponse(string.Join(' ', words.Select(w => w.Text)))
            {
                ResponseId = Guid.NewGuid().ToString("N"),
                ModelId = model.Language,
                StartTime = words.Count > 0 ? words[0].Start : null,
                EndTime = words.Count > 0 ? words[^1].End : null,
            };
        }
        finally
        {
            File.Delete(wav);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SpeechToTextResponseUpdate> GetStreamingTextAsync(
        Stream audioSpeechStream, SpeechToTextOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SpeechToTextResponse response = await GetTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false);
        foreach (SpeechToTextResponseUpdate update in response.ToSpeechToTextResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(SpeechToTextClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing held between calls: each request owns (and ends) its own process and temporary file.
    }

    private PocketsphinxModel ModelFor(string language) =>
        _models.GetOrAdd(PocketsphinxModel.NormalizeLanguage(language), lang => PocketsphinxModel.Locate(_options.ModelRoot, lang));

    private static List<string> Arguments(PocketsphinxModel model, string wav) =>
    [
        "-infile", wav,
        "-hmm", model.AcousticModel,
        "-lm", model.LanguageModel,
        "-dict", model.Dictionary,
        "-samprate", "16000",
        "-time", "yes",
        "-logfn", "/dev/null",
    ];

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            throw new ArgumentException("The audio stream is empty.", nameof(stream));
        }

        return buffer.ToArray();
    }

    private static WavAudio ToModelFormat(byte[] input, int? declaredRate)
    {
        WavAudio audio;
        if (WavAudio.LooksLikeWav(input))
        {
            audio = WavAudio.Parse(input);
        }
        else if (declaredRate is int rate)
        {
            PcmFormat.Validate(input.Length, rate, 1);
            audio = new WavAudio(input, rate, 1);
        }
        else
        {
            throw new ArgumentException(
                "The audio is not a WAV file; raw 16-bit mono PCM is accepted only when SpeechToTextOptions.SpeechSampleRate gives its rate.");
        }

        byte[] mono = audio.Channels == 1 ? audio.Pcm : MixDown(audio.Pcm, audio.Channels);
        if (audio.SampleRate == ModelSampleRate)
        {
            return new WavAudio(mono, ModelSampleRate, 1);
        }

        using var resampler = new StreamingResampler(audio.SampleRate, ModelSampleRate);
        byte[] output = new byte[resampler.MaxOutputBytes(mono.Length) + resampler.MaxFlushBytes];
        int written = resampler.Resample(mono, output);
        written += resampler.Flush(output.AsSpan(written));
        return new WavAudio(output.AsSpan(0, written).ToArray(), ModelSampleRate, 1);
    }

    private static byte[] MixDown(byte[] interleaved, int channels)
    {
        ReadOnlySpan<short> input = MemoryMarshal.Cast<byte, short>(interleaved);
        short[] mono = new short[input.Length / channels];
        for (int f = 0; f < mono.Length; f++)
        {
            int sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += input[(f * channels) + c];
            }

            mono[f] = (short)(sum / channels);
        }

        return MemoryMarshal.AsBytes(mono.AsSpan()).ToArray();
    }
}
