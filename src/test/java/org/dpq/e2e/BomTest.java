package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** dpq-bom has no parent (importing it pins nothing else), so its versions are checked against the parent's. */
class BomTest {
  private static final Path ROOT = Path.of(System.getProperty("dpq.root", "../..")).toAbsolutePath().normalize();

  @Test
  void theBomPinsTheVersionsTheBuildUses() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Document bom = read(ROOT.resolve("bom/pom.xml"));
    Map<String, String> parentProperties = properties(parent);
    Map<String, String> bomProperties = properties(bom);
    assertFalse(bomProperties.isEmpty());
    assertEquals(child(parent.getDocumentElement(), "version"), child(bom.getDocumentElement(), "version"));
    for (Map.Entry<String, String> p : bomProperties.entrySet()) {
      String expected = p.getKey().equals("dpq.version") ? child(parent.getDocumentElement(), "version")
          : parentProperties.get(p.getKey());
      assertEquals(expected, p.getValue(), "bom/pom.xml property " + p.getKey() + " differs from the parent's");
    }
  }

  private static Document read(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Map<String, String> properties(Document pom) {
    Map<String, String> out = new LinkedHashMap<>();
    NodeList list = pom.getDocumentElement().getElementsByTagName("properties");
    NodeList props = list.item(0).getChildNodes();
    for (int i = 0; i < props.getLength(); i++) {
      if (props.item(i).getNodeType() == Node.ELEMENT_NODE) {
        out.put(props.item(i).getNodeName(), props.item(i).getTextContent().strip());
      }
    }
    return out;
  }

  private static String child(Element e, String name) {
    NodeList children = e.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i).getNodeName().equals(name)) {
        return children.item(i).getTextContent().strip();
      }
    }
    return null;
  }
}
