using Pipeline.LocalEngines;
using Pipeline.Silero;

namespace Pipeline.Speech.Tests;

public sealed class MissingEngineTests
{
    [Fact]
    public void A_missing_espeak_ng_fails_at_construction_naming_the_package_to_install()
    {
        Action act = () => _ = new EspeakTextToSpeechClient(new EspeakOptions { ExecutablePath = "espeak-ng-not-installed" });

        act.Should().Throw<SpeechEngineNotFoundException>()
            .WithMessage("*'espeak-ng-not-installed'*apt-get install espeak-ng*30-local-speech-engines.sh*")
            .Which.DebianPackages.Should().Be("espeak-ng");
    }

    [Fact]
    public void A_missing_pocketsphinx_fails_at_construction_naming_the_packages_to_install()
    {
        Action act = () => _ = new PocketsphinxSpeechToTextClient(new PocketsphinxOptions { ExecutablePath = "/opt/nowhere/pocketsphinx_continuous" });

        act.Should().Throw<SpeechEngineNotFoundException>()
            .WithMessage("*pocketsphinx_continuous*apt-get install pocketsphinx pocketsphinx-en-us*");
    }

    [Fact]
    public void A_missing_pocketsphinx_model_fails_at_construction_naming_the_model_package()
    {
        Action act = () => _ = new PocketsphinxSpeechToTextClient(new PocketsphinxOptions { ModelRoot = "/opt/nowhere/model" });

        act.Should().Throw<SpeechEngineNotFoundException>()
            .WithMessage("*acoustic model for 'en-us'*/opt/nowhere/model/en-us/en-us*apt-get install pocketsphinx-en-us*");
    }

    [Fact]
    public async Task A_language_without_a_model_fails_naming_its_package()
    {
        using var stt = new PocketsphinxSpeechToTextClient();

        Func<Task> act = () => stt.GetTextAsync(new MemoryStream(new byte[3200]), new Microsoft.Extensions.AI.SpeechToTextOptions { SpeechLanguage = "de-DE" });

        (await act.Should().ThrowAsync<SpeechEngineNotFoundException>()).WithMessage("*'de-de'*pocketsphinx-de-de*");
    }

    [Fact]
    public void A_missing_Silero_model_fails_at_load_naming_the_script_to_run()
    {
        Action act = () => SileroVadModel.Load("/opt/nowhere/silero_vad.onnx");

        act.Should().Throw<SileroModelNotFoundException>()
            .WithMessage("*not found at '/opt/nowhere/silero_vad.onnx'*bash build/prereqs/30-silero-vad.sh*@livekit/agents-plugin-silero@1.9.0*PIPELINE_SILERO_VAD_MODEL*");
    }

    [Fact]
    public void A_file_that_is_not_an_ONNX_model_is_refused_with_what_to_do()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not an ONNX model");
        try
        {
            Action act = () => SileroVadModel.Load(path);

            act.Should().Throw<InvalidDataException>().WithMessage("*could not be loaded as an ONNX model*30-silero-vad.sh*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_locator_prefers_an_explicit_path_then_the_environment_then_the_cache()
    {
        SileroModelLocator.ResolvePath("/x/model.onnx").Should().Be("/x/model.onnx");
        if (Environment.GetEnvironmentVariable(SileroModelLocator.ModelFileVariable) is null
            && Environment.GetEnvironmentVariable(SileroModelLocator.CacheDirectoryVariable) is null)
        {
            SileroModelLocator.ResolvePath().Should().Be(Path.Combine(SileroModelLocator.DefaultCacheDirectory, "silero_vad.onnx"));
        }
    }
}
