// The page served at `/`: type a text, see the label distribution (calls `/predict`, no assets).

enum IndexPage {
    static func html(modelId: String) -> String {
        let title = modelId.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "<": "&lt;"
            case ">": "&gt;"
            case "&": "&amp;"
            case "\"": "&quot;"
            default: String(scalar)
            }
        }.joined()
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sift · \(title)</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:15px/1.4 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
        textarea{width:100%;height:8rem;font:inherit;padding:.5rem;box-sizing:border-box}
        button{font:inherit;padding:.4rem 1.2rem;margin:.5rem 0}
        .row{display:flex;align-items:center;margin:.25rem 0}.name{width:12rem;overflow:hidden;text-overflow:ellipsis}
        .bar{height:1.1rem;background:#4a7bd0;margin-right:.5rem}.err{color:#b00}small{color:#777}
        </style></head><body>
        <h1>Sift</h1><p><small>model: \(title)</small></p>
        <textarea id="text" placeholder="Type a text to classify"></textarea><br>
        <label><input type="checkbox" id="truncate" checked> truncate long texts</label>
        <button id="go">Classify</button> <small id="time"></small>
        <div id="out"></div>
        <script>
        const out = document.getElementById('out');
        async function classify() {
          const started = performance.now();
          out.textContent = '';
          try {
            const response = await fetch('/predict', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({inputs: document.getElementById('text').value, truncate: document.getElementById('truncate').checked})});
            const body = await response.json();
            document.getElementById('time').textContent = Math.round(performance.now() - started) + ' ms';
            if (!response.ok) { out.innerHTML = ''; const p = document.createElement('p'); p.className = 'err';
              p.textContent = response.status + ' ' + body.error_type + ': ' + body.error; out.appendChild(p); return; }
            for (const item of body) {
              const row = document.createElement('div'); row.className = 'row';
              const name = document.createElement('span'); name.className = 'name'; name.textContent = item.label;
              const bar = document.createElement('span'); bar.className = 'bar'; bar.style.width = (item.score * 26) + 'rem';
              const value = document.createElement('span'); value.textContent = (item.score * 100).toFixed(1) + ' %';
              row.append(name, bar, value); out.appendChild(row);
            }
          } catch (error) { out.textContent = String(error); }
        }
        document.getElementById('go').onclick = classify;
        document.getElementById('text').addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) classify(); });
        </script></body></html>
        """
    }
}
