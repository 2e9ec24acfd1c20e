using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Pipeline.Benchmarks.Speech.VoiceLatency;

/// <summary>
/// The engines' own time in a voice-to-avatar run, measured around the M.E.AI clients (the processors call them, so
/// everything outside these spans is the library's): the STT request, the LLM's time to its first update, the TTS
/// engine's time to its first audio. The first request of each kind counts (the reply's first sentence).
/// </summary>
internal sealed class EngineClock(TimeProvider time)
{
    private readonly TimeProvider _time = time;

    public TimeSpan Stt { get; private set; }

    public TimeSpan LlmFirstToken { get; private set; }

    public TimeSpan TtsFirstAudio { get; private set; }

    public IChatClient Wrap(IChatClient inner) => new TimedChatClient(inner, this);

    public ISpeechToTextClient Wrap(ISpeechToTextClient inner) => new TimedSpeechToTextClient(inner, this);

    public ITextToSpeechClient Wrap(ITextToSpeechClient inner) => new TimedTextToSpeechClient(inner, this);

    private sealed class TimedChatClient(IChatClient inner, EngineClock clock) : DelegatingChatClient(inner)
    {
        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            long start = clock._time.GetTimestamp();
            bool first = true;
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                if (first)
                {
                    first = false;
                    clock.LlmFirstToken = clock.LlmFirstToken == TimeSpan.Zero ? clock._time.GetElapsedTime(start) : clock.LlmFirstToken;
                }

                yield return update;
            }
        }
    }

    private sealed class TimedSpeechToTextClient(ISpeechToTextClient inner, EngineClock clock) : DelegatingSpeechToTextClient(inner)
    {
        public override async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
        {
            long start = clock._time.GetTimestamp();
            SpeechToTextResponse response = await base.GetTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false);
            clock.Stt = clock.Stt == TimeSpan.Zero ? clock._time.GetElapsedTime(start) : clock.Stt;
            return response;
        }
    }

    private sealed class TimedTextToSpeechClient(ITextToSpeechClient inner, EngineClock clock) : DelegatingTextToSpeechClient(inner)
    {
        public override async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
            string text, TextToSpeechOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            long start = clock._time.GetTimestamp();
            bool first = true;
            await foreach (TextToSpeechResponseUpdate update in base.GetStreamingAudioAsync(text, options, cancellationToken).ConfigureAwait(false))
            {
                if (first && update.Contents.OfType<DataContent>().Any())
                {
                    first = false;
                    clock.TtsFirstAudio = clock.TtsFirstAudio == TimeSpan.Zero ? clock._time.GetElapsedTime(start) : clock.TtsFirstAudio;
                }

                yield return update;
            }
        }
    }
}
