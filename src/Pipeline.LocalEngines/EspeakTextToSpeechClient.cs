using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Pipeline.LocalEngines;

/// <summary>
/// Offline text to speech over Debian's <c>espeak-ng</c>, run as a process per request (<c>espeak-ng --stdout</c>).
/// <see cref="GetStreamingAudioAsync"/> streams raw PCM chunks as espeak-ng writes them;
/// <see cref="GetAudioAsync"/> returns one WAV file (or raw PCM with <c>AudioFormat = "pcm"</c>).
/// </summary>
/// <remarks>
/// Audio is 16-bit mono at espeak-ng's rate (22050 Hz). Raw PCM content carries the media type
/// <c>audio/pcm;rate=22050;channels=1</c> (see <see cref="PcmMediaType"/>). The program is checked at construction:
/// a machine without espeak-ng fails at start with <see cref="SpeechEngineNotFoundException"/>.
/// </remarks>
public sealed class EspeakTextToSpeechClient : ITextToSpeechClient
{
    private const string Engine = "espeak-ng";
    private const string DebianPackage = "espeak-ng";
    private const int ChunkBytes = 4410; // 100 ms at 22050 Hz mono 16-bit: small enough to stream, large enough to be cheap.
    private const int HeaderBytes = 44; // espeak-ng --stdout writes the canonical header, with placeholder lengths.

    private readonly EspeakOptions _options;
    private readonly string _executable;
    private readonly TextToSpeechClientMetadata _metadata;
    private readonly EspeakVoiceCatalog _voices;

    /// <summary>Creates the client and checks that espeak-ng is installed.</summary>
    /// <param name="options">Program, voice and prosody; defaults when null.</param>
    /// <exception cref="SpeechEngineNotFoundException">espeak-ng is not installed; the message says what to install.</exception>
    /// <exception cref="ArgumentException">espeak-ng has no voice named <see cref="EspeakOptions.Voice"/>.</exception>
    public EspeakTextToSpeechClient(EspeakOptions? options = null)
    {
        _options = options ?? new EspeakOptions();
        _options.Validate();
        _executable = ExecutableLocator.Require(_options.ExecutablePath, DebianPackage);
        _voices = EspeakVoiceCatalog.Load(_executable);
        CheckVoice(_options.Voice);
        _metadata = new TextToSpeechClientMetadata(Engine, null, _options.Voice);
    }

    /// <summary>The media type of raw 16-bit little-endian mono PCM at <paramref name="sampleRate"/> Hz.</summary>
    public static string PcmMediaType(int sampleRate) => string.Create(CultureInfo.InvariantCulture, $"audio/pcm;rate={sampleRate};channels=1");

    /// <inheritdoc />
    public async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        bool raw = IsRawPcm(options);
        using var pcm = new MemoryStream();
        int rate = 0;
        string? responseId = null;
        await foreach (TextToSpeechResponseUpdate update in GetStreamingAudioAsync(text, options, cancellationToken).ConfigureAwait(false))
        {
            responseId = update.ResponseId;
            foreach (DataContent chunk in update.Contents.OfType<DataContent>())
            {
                rate = RateOf(chunk.MediaType);
                pcm.Write(chunk.Data.Span);
            }
        }

        rate = rate == 0 ? 22_050 : rate;
        DataContent content = raw
            ? new DataContent(pcm.ToArray(), PcmMediaType(rate))
            : new DataContent(new WavAudio(pcm.ToArray(), rate, 1).ToWav(), WavAudio.MediaType);
        return new TextToSpeechResponse([content]) { ResponseId = responseId, ModelId = VoiceOf(options) };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string voice = VoiceOf(options);
        string responseId = Guid.NewGuid().ToString("N");
        await using EngineProcess run = EngineProcess.Start(_executable, Arguments(voice, options), Engine);
        Task writing = WriteTextAsync(run, text, cancellationToken);
        try
        {
            byte[] header = new byte[HeaderBytes];
            int got = await run.StandardOutput.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got < HeaderBytes)
            {
                await writing.ConfigureAwait(false);
                await run.WaitForSuccessAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"{Engine} produced no audio for voice '{voice}': {run.StderrTail()}");
            }

            WavAudio format = WavAudio.Parse(header);
            string mediaType = PcmMediaType(format.SampleRate);
            if (format.Channels != 1)
            {
                throw new InvalidOperationException($"{Engine} produced {format.Channels}-channel audio; mono was expected.");
            }

            byte[] buffer = new byte[ChunkBytes];
            int carry = 0;
            while (true)
            {
                int n = await run.StandardOutput.ReadAtLeastAsync(buffer.AsMemory(carry), ChunkBytes - carry, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                int filled = carry + n;
                int whole = filled & ~1; // never split a 16-bit sample between chunks
                if (whole > 0)
                {
                    yield return new TextToSpeechResponseUpdate([new DataContent(buffer.AsSpan(0, whole).ToArray(), mediaType)])
                    {
                        Kind = TextToSpeechResponseUpdateKind.AudioUpdating,
                        ResponseId = responseId,
                        ModelId = voice,
                    };
                }

                carry = filled - whole;
                if (carry > 0)
                {
                    buffer[0] = buffer[whole];
                }

                if (n == 0 || filled < ChunkBytes)
                {
                    break;
                }
            }

            await writing.ConfigureAwait(false);
            await run.WaitForSuccessAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A consumer that stops early (an interruption, the first chunk is enough) ends espeak-ng here, and the
            // stdin writer, whose pipe just broke, is observed so its failure is not left unobserved.
            run.Kill();
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Expected once espeak-ng has been ended: there is no one left to write to.
            }
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

        return serviceType == typeof(TextToSpeechClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing held between calls: each request owns (and ends) its own process.
    }

    internal static int RateOf(string mediaType)
    {
        foreach (string part in mediaType.Split(';', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("rate=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(part.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int rate))
            {
                return rate;
            }
        }

        return 0;
    }

    private static bool IsRawPcm(TextToSpeechOptions? options) => options?.AudioFormat?.ToUpperInvariant() switch
    {
        null or "" or "WAV" or "AUDIO/WAV" => false,
        "PCM" or "AUDIO/PCM" => true,
        string other => throw new NotSupportedException(
            $"espeak-ng produces 'wav' or 'pcm' (16-bit mono); AudioFormat '{options!.AudioFormat}' ({other}) is not supported: convert the result instead."),
    };

    private string VoiceOf(TextToSpeechOptions? options)
    {
        string voice = !string.IsNullOrWhiteSpace(options?.VoiceId) ? options.VoiceId
            : !string.IsNullOrWhiteSpace(options?.Language) ? options.Language.ToLowerInvariant()
            : _options.Voice;
        CheckVoice(voice);
        return voice;
    }

    // espeak-ng falls back to its default voice, silently, for a name it does not know: refuse instead.
    private void CheckVoice(string voice)
    {
        if (!_voices.Knows(voice))
        {
            throw new ArgumentException(
                $"espeak-ng has no voice '{voice}' ({_voices.Count} names known; `espeak-ng --voices` lists them, e.g. en-us, en-gb, de, fr-fr). " +
                "Other languages' voices come with the Debian package espeak-ng-data.",
                nameof(voice));
        }
    }

    private List<string> Arguments(string voice, TextToSpeechOptions? options)
    {
        double speed = options?.Speed is > 0 ? options.Speed.Value : 1.0;
        double pitch = options?.Pitch is > 0 ? options.Pitch.Value : 1.0;
        double volume = options?.Volume is >= 0 ? options.Volume.Value : 1.0;
        int wpm = Math.Clamp((int)Math.Round(_options.WordsPerMinute * speed), 80, 450);
        int p = Math.Clamp((int)Math.Round(_options.Pitch * pitch), 0, 99);
        int amplitude = Math.Clamp((int)Math.Round(_options.Amplitude * volume), 0, 200);
        // Text goes through stdin (--stdin), never the command line: no argument injection, no length limit.
        // -b 1: the input is UTF-8.
        return
        [
            "--stdout", "--stdin", "-b", "1",
            "-v", voice,
            "-s", wpm.ToString(CultureInfo.InvariantCulture),
            "-p", p.ToString(CultureInfo.InvariantCulture),
            "-a", amplitude.ToString(CultureInfo.InvariantCulture),
        ];
    }

    private static async Task WriteTextAsync(EngineProcess run, string text, CancellationToken cancellationToken)
    {
        try
        {
            await run.StandardInput.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"), cancellationToken).ConfigureAwait(false);
            await run.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            run.StandardInput.Close();
        }
    }
}
